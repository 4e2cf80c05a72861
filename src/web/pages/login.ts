/** The login form (#/login). */
import { ApiError, api } from '../api.ts';
import { h, labelled, notice, replace } from '../dom.ts';
import type { PageContext } from '../page.ts';
import type { Me } from '../types.ts';

/** Renders the login form; `message` explains why (expired session, logged out). */
export async function loginPage(ctx: PageContext, message: string): Promise<void> {
  ctx.setTitle('Log in');
  const name = h('input', { name: 'username', autocomplete: 'username', required: true, id: 'login-name' });
  const password = h('input', {
    name: 'password',
    type: 'password',
    autocomplete: 'current-password',
    required: true,
    id: 'login-password',
  });
  const status = h('div', { class: 'form-status', 'aria-live': 'assertive' });
  if (message) replace(status, notice('info', message));
  const submit = h('button', { type: 'submit' }, 'Log in');
  const form = h(
    'form',
    { class: 'login', 'aria-labelledby': 'login-title' },
    h('h1', { id: 'login-title' }, 'Log in to nines'),
    status,
    labelled('User name', name),
    labelled('Password', password),
    submit,
  );
  form.addEventListener('submit', (e) => {
    e.preventDefault();
    submit.disabled = true;
    api<Me>('/session', { method: 'POST', body: { name: name.value, password: password.value } })
      .then((me) => ctx.onLogin(me))
      .catch((err: unknown) => {
        replace(status, notice('error', err instanceof ApiError ? err.message : String(err)));
        password.value = '';
        password.focus();
      })
      .finally(() => (submit.disabled = false));
  });
  replace(ctx.main, form);
  name.focus();
}
