/**
 * The dashboard's entry: checks the session, draws the header and navigation, and routes hash
 * URLs (#/, #/targets/:name, #/slos, #/slos/:name, #/alerts, #/incidents, #/incidents/:id,
 * #/gateway, #/login) to pages. A failing page shows its error; the page is never left blank.
 */
import { ApiError, api, onUnauthorized, setCsrfToken } from './api.ts';
import { h, notice, replace } from './dom.ts';
import { hideTip } from './charts.ts';
import { connectLive, disconnectLive, onLiveStatus } from './live.ts';
import type { Me } from './types.ts';
import type { Page, PageContext } from './page.ts';
import { loginPage } from './pages/login.ts';
import { overviewPage } from './pages/overview.ts';
import { targetPage } from './pages/target.ts';
import { sloListPage, sloPage } from './pages/slos.ts';
import { alertsPage } from './pages/alerts.ts';
import { incidentListPage, incidentPage } from './pages/incidents.ts';
import { gatewayPage } from './pages/gateway.ts';
import { accountPage } from './pages/account.ts';

const ROUTES: [RegExp, Page][] = [
  [/^\/?$/, overviewPage],
  [/^\/targets\/([^/]+)$/, targetPage],
  [/^\/slos$/, sloListPage],
  [/^\/slos\/([^/]+)$/, sloPage],
  [/^\/alerts$/, alertsPage],
  [/^\/incidents$/, incidentListPage],
  [/^\/incidents\/([^/]+)$/, incidentPage],
  [/^\/gateway$/, gatewayPage],
  [/^\/account$/, accountPage],
];

const NAV: [string, string][] = [
  ['#/', 'Overview'],
  ['#/slos', 'SLOs'],
  ['#/alerts', 'Alerts'],
  ['#/incidents', 'Incidents'],
  ['#/gateway', 'Gateway'],
];

let me: Me | undefined;
let cleanup: (() => void) | void;
let loginMessage = '';
const app = document.getElementById('app')!;
const liveRegion = h('div', { id: 'live-region', class: 'sr-only', 'aria-live': 'polite', role: 'status' });
const main = h('main', { id: 'main', tabindex: '-1' });
const liveDot = h('span', { class: 'live-dot', role: 'status' }, 'connecting…');

function path(): string {
  return decodeURI(location.hash.replace(/^#/, '')) || '/';
}

function header(): HTMLElement {
  const current = `#${path()}`;
  const links = NAV.map(([href, text]) => {
    const active = href === '#/' ? current === '#/' : current.startsWith(href);
    return h('li', null, h('a', { href, 'aria-current': active ? 'page' : null }, text));
  });
  const logout = h(
    'button',
    { type: 'button', class: 'link-button', onclick: () => void logOut() },
    'Log out',
  );
  return h(
    'header',
    { class: 'top' },
    h('a', { class: 'brand', href: '#/' }, 'nines'),
    h('nav', { 'aria-label': 'Main' }, h('ul', null, links)),
    h(
      'div',
      { class: 'who' },
      liveDot,
      me
        ? h(
            'a',
            { href: '#/account', 'aria-label': `Account: ${me.user.name} (${me.user.role})` },
            `${me.user.name} (${me.user.role})`,
          )
        : null,
      me ? logout : null,
    ),
  );
}

async function logOut(): Promise<void> {
  try {
    await api('/session', { method: 'DELETE' });
  } catch {
    /* the session may already be gone */
  }
  me = undefined;
  disconnectLive();
  loginMessage = 'You have logged out.';
  location.hash = '#/login';
  void render();
}

async function render(): Promise<void> {
  if (typeof cleanup === 'function') cleanup();
  cleanup = undefined;
  hideTip();
  const p = path();
  if (!me || p === '/login') {
    replace(app, main, liveRegion);
    const ctx: PageContext = { main, me: undefined, params: [], setTitle, onLogin };
    replace(main);
    await loginPage(ctx, loginMessage);
    return;
  }
  replace(app, header(), main, liveRegion);
  replace(main, h('p', { class: 'loading' }, 'Loading…'));
  const match = ROUTES.map(([re, page]) => [re.exec(p), page] as const).find(([m]) => m);
  if (!match) {
    setTitle('Page not found');
    replace(
      main,
      h('h1', null, 'Page not found'),
      notice('error', `There is no page at "${p}".`),
      h('p', null, h('a', { href: '#/' }, 'Go to the overview')),
    );
    return;
  }
  const [m, page] = match;
  const params = m!.slice(1).map((x) => decodeURIComponent(x ?? ''));
  try {
    cleanup = await page({ main, me, params, setTitle, onLogin });
  } catch (e) {
    const msg =
      e instanceof ApiError
        ? e.status === 404
          ? `Not found: ${e.message}`
          : e.message
        : `Something went wrong: ${String(e)}`;
    replace(
      main,
      h('h1', null, 'Could not load this page'),
      notice('error', msg),
      h('p', null, h('a', { href: '#/' }, 'Go to the overview')),
    );
  }
  main.querySelector('h1')?.setAttribute('tabindex', '-1');
}

function setTitle(title: string): void {
  document.title = `${title} · nines`;
}

function onLogin(next: Me): void {
  me = next;
  setCsrfToken(next.csrfToken);
  loginMessage = '';
  connectLive();
  if (path() === '/login') location.hash = '#/';
  else void render();
}

onUnauthorized.handler = (message) => {
  if (!me) return;
  me = undefined;
  disconnectLive();
  loginMessage = `Your session has ended (${message}). Log in again.`;
  location.hash = '#/login';
  void render();
};

onLiveStatus((connected) => {
  liveDot.textContent = connected ? 'live' : 'reconnecting…';
  liveDot.className = connected ? 'live-dot on' : 'live-dot off';
});

window.addEventListener('hashchange', () => {
  void render().then(() => (main.querySelector('h1') as HTMLElement | null)?.focus());
});

async function boot(): Promise<void> {
  try {
    const session = await api<Me>('/session');
    me = session;
    setCsrfToken(session.csrfToken);
    connectLive();
  } catch (e) {
    if (!(e instanceof ApiError && e.status === 401))
      loginMessage = e instanceof Error ? e.message : String(e);
  }
  await render();
}

void boot();
