/**
 * Account and users (#/account): change your own password (which logs out your other
 * sessions); admins also list users and create them with a role. The API enforces who may.
 */
import { api } from '../api.ts';
import { h, labelled, notice, replace, tableHead } from '../dom.ts';
import { time } from '../format.ts';
import type { PageContext } from '../page.ts';
import { showError } from './alerts.ts';

interface UserView {
  name: string;
  role: string;
  createdAt: number;
}

function passwordForm(ctx: PageContext): HTMLElement {
  const status = h('div', { class: 'form-status', 'aria-live': 'polite' });
  const current = h('input', { type: 'password', autocomplete: 'current-password', required: true });
  const next = h('input', { type: 'password', autocomplete: 'new-password', required: true, minlength: 10 });
  const form = h(
    'form',
    { class: 'inline-form', 'aria-labelledby': 'pw-h' },
    h('h2', { id: 'pw-h' }, 'Change your password'),
    status,
    labelled('Current password', current),
    labelled('New password (at least 10 characters)', next),
    h('button', { type: 'submit' }, 'Change password'),
  );
  form.addEventListener('submit', (e) => {
    e.preventDefault();
    const name = encodeURIComponent(ctx.me!.user.name);
    api<{ revokedSessions: number }>(`/users/${name}/password`, {
      method: 'PUT',
      body: { password: next.value, currentPassword: current.value },
    })
      .then((r) =>
        replace(
          status,
          notice('info', `Password changed; ${r.revokedSessions} other session(s) logged out.`),
        ),
      )
      .catch((err: unknown) => showError(status, err))
      .finally(() => {
        current.value = '';
        next.value = '';
      });
  });
  return form;
}

async function usersSection(): Promise<HTMLElement> {
  const box = h('section', { 'aria-labelledby': 'users-h' });
  const status = h('div', { class: 'form-status', 'aria-live': 'polite' });
  const name = h('input', { required: true, pattern: '[A-Za-z0-9._@-]{1,64}', autocomplete: 'off' });
  const role = h(
    'select',
    null,
    ['viewer', 'operator', 'admin'].map((r) => h('option', { value: r }, r)),
  );
  const password = h('input', {
    type: 'password',
    autocomplete: 'new-password',
    required: true,
    minlength: 10,
  });
  const table = h('div');
  const load = async () => {
    const { users } = await api<{ users: UserView[] }>('/users');
    replace(
      table,
      h(
        'table',
        { class: 'compact' },
        tableHead(['User', 'Role', 'Created']),
        h(
          'tbody',
          null,
          users.map((u) =>
            h(
              'tr',
              null,
              h('th', { scope: 'row' }, u.name),
              h('td', null, u.role),
              h('td', null, time(u.createdAt)),
            ),
          ),
        ),
      ),
    );
  };
  const form = h(
    'form',
    { class: 'inline-form', 'aria-label': 'Create a user' },
    h('h3', null, 'Create a user'),
    status,
    labelled('User name', name),
    labelled('Role', role),
    labelled('Initial password (at least 10 characters)', password),
    h('button', { type: 'submit' }, 'Create user'),
  );
  form.addEventListener('submit', (e) => {
    e.preventDefault();
    api('/users', { method: 'POST', body: { name: name.value, role: role.value, password: password.value } })
      .then(() => load())
      .then(() => {
        replace(status, notice('info', `User ${name.value} created.`));
        name.value = '';
        password.value = '';
      })
      .catch((err: unknown) => showError(status, err));
  });
  await load();
  replace(box, h('h2', { id: 'users-h' }, 'Users'), table, form);
  return box;
}

/** Renders the account page. */
export async function accountPage(ctx: PageContext): Promise<void> {
  ctx.setTitle('Account');
  const role = ctx.me!.user.role;
  replace(
    ctx.main,
    h('h1', null, 'Account'),
    h('p', null, `Logged in as ${ctx.me!.user.name} (${role}).`),
    passwordForm(ctx),
    role === 'admin' ? await usersSection() : h('p', { class: 'muted' }, 'Only admins manage users.'),
  );
}
