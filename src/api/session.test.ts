import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { Hono } from 'hono';
import { createApiApp } from './app.ts';
import { TokenAuthenticator, type AuthVariables } from './auth.ts';
import type { ApiServices } from './services.ts';
import type { Store } from '../store/types.ts';
import { SessionManager, LoginThrottle } from './session.ts';
import { SessionAuthenticator } from './session-auth.ts';
import { withSessions } from './session-app.ts';
import { MemoryUserStore, UserService } from './users.ts';
import { SqlUserStore, USERS_TABLE_SQL } from './users-sql.ts';
import { sqliteRunner } from '../store/sql-runner.ts';
import { usersExtension } from './routes/users.ts';
import Database from 'better-sqlite3';

async function setup() {
  let now = 1_000_000;
  const clock = { now: () => now };
  const users = new UserService(new MemoryUserStore(), clock.now);
  await users.create('ada', 'admin', 'admin-password-1');
  await users.create('val', 'viewer', 'viewer-password-1');
  const sessions = new SessionManager({ absoluteMs: 3_600_000, idleMs: 600_000 });
  const auth = new SessionAuthenticator(
    new TokenAuthenticator([{ name: 'ci', role: 'operator', token: 'a-long-operator-token' }]),
    sessions,
    clock.now,
  );
  const services = {
    clock,
    targets: { list: () => [], get: () => undefined },
    store: {} as Store,
    reports: { targetReports: async () => [] },
  } as unknown as ApiServices;
  const echo = (api: Hono<{ Variables: AuthVariables }>) =>
    api.post('/echo', (c) => c.json({ who: c.get('principal') }));
  const api = createApiApp({ services, auth, extensions: [echo, usersExtension(users, sessions)] });
  const app = withSessions(api, { users, auth, now: clock.now, throttle: new LoginThrottle(3, 60_000) });
  const login = async (name: string, password: string) => {
    const res = await app.request('/api/v1/session', {
      method: 'POST',
      body: JSON.stringify({ name, password }),
      headers: { 'content-type': 'application/json' },
    });
    const cookie = (res.headers.get('set-cookie') ?? '').split(';')[0]!;
    return { res, cookie, body: (await res.json()) as { csrfToken: string } };
  };
  return { app, login, advance: (ms: number) => (now += ms), sessions };
}

test('login sets an HttpOnly SameSite=Strict cookie and GET /session returns the CSRF token', async () => {
  const { app, login } = await setup();
  const { res, cookie, body } = await login('ada', 'admin-password-1');
  assert.equal(res.status, 201);
  assert.match(res.headers.get('set-cookie')!, /nines_session=.*HttpOnly.*SameSite=Strict/i);
  const me = await app.request('/api/v1/session', { headers: { cookie } });
  assert.equal(me.status, 200);
  assert.equal(((await me.json()) as { csrfToken: string }).csrfToken, body.csrfToken);
  const anon = await app.request('/api/v1/targets');
  assert.equal(anon.status, 401);
  assert.equal((await app.request('/api/v1/targets', { headers: { cookie } })).status, 200);
});

test('state-changing cookie requests need the CSRF token; bearer requests do not', async () => {
  const { app, login } = await setup();
  const { cookie, body } = await login('ada', 'admin-password-1');
  const no = await app.request('/api/v1/echo', { method: 'POST', headers: { cookie } });
  assert.equal(no.status, 403);
  assert.match(((await no.json()) as { error: { message: string } }).error.message, /CSRF/);
  const bad = await app.request('/api/v1/echo', {
    method: 'POST',
    headers: { cookie, 'x-csrf-token': 'forged' },
  });
  assert.equal(bad.status, 403);
  const ok = await app.request('/api/v1/echo', {
    method: 'POST',
    headers: { cookie, 'x-csrf-token': body.csrfToken },
  });
  assert.equal(ok.status, 200);
  const bearer = await app.request('/api/v1/echo', {
    method: 'POST',
    headers: { authorization: 'Bearer a-long-operator-token' },
  });
  assert.deepEqual(await bearer.json(), { who: { name: 'ci', role: 'operator' } });
  const wrongBearer = await app.request('/api/v1/echo', {
    method: 'POST',
    headers: { cookie, authorization: 'Bearer nope' },
  });
  assert.equal(wrongBearer.status, 401, 'a bad bearer header does not fall back to the cookie');
});

test('a viewer is refused operator and admin actions', async () => {
  const { app, login } = await setup();
  const { cookie, body } = await login('val', 'viewer-password-1');
  const res = await app.request('/api/v1/echo', {
    method: 'POST',
    headers: { cookie, 'x-csrf-token': body.csrfToken },
  });
  assert.equal(res.status, 403);
  assert.equal((await app.request('/api/v1/users', { headers: { cookie } })).status, 403);
});

test('sessions expire when idle and at their absolute limit', async () => {
  const { app, login, advance } = await setup();
  const { cookie } = await login('ada', 'admin-password-1');
  advance(599_000);
  assert.equal((await app.request('/api/v1/session', { headers: { cookie } })).status, 200);
  advance(600_000);
  assert.equal((await app.request('/api/v1/session', { headers: { cookie } })).status, 401);
  const again = await login('ada', 'admin-password-1');
  for (let i = 0; i < 7; i++) {
    advance(550_000);
    await app.request('/api/v1/session', { headers: { cookie: again.cookie } });
  }
  assert.equal((await app.request('/api/v1/session', { headers: { cookie: again.cookie } })).status, 401);
});

test('changing a password revokes the other sessions of that user', async () => {
  const { app, login } = await setup();
  const a = await login('val', 'viewer-password-1');
  const b = await login('val', 'viewer-password-1');
  const res = await app.request('/api/v1/users/val/password', {
    method: 'PUT',
    headers: { cookie: a.cookie, 'x-csrf-token': a.body.csrfToken, 'content-type': 'application/json' },
    body: JSON.stringify({ password: 'a-new-password-2', currentPassword: 'viewer-password-1' }),
  });
  assert.equal(res.status, 403, 'a viewer cannot PUT (operator needed by method)');
  const admin = await login('ada', 'admin-password-1');
  const put = await app.request('/api/v1/users/val/password', {
    method: 'PUT',
    headers: {
      cookie: admin.cookie,
      'x-csrf-token': admin.body.csrfToken,
      'content-type': 'application/json',
    },
    body: JSON.stringify({ password: 'a-new-password-2' }),
  });
  assert.equal(put.status, 200);
  assert.equal((await app.request('/api/v1/session', { headers: { cookie: a.cookie } })).status, 401);
  assert.equal((await app.request('/api/v1/session', { headers: { cookie: b.cookie } })).status, 401);
  assert.equal((await login('val', 'a-new-password-2')).res.status, 201);
});

test('forged sessions and roles are refused', async () => {
  const { app, login } = await setup();
  assert.equal(
    (await app.request('/api/v1/targets', { headers: { cookie: 'nines_session=forged-session-id' } })).status,
    401,
  );
  const withRole = await app.request('/api/v1/session', {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ name: 'val', password: 'viewer-password-1', role: 'admin' }),
  });
  assert.equal(withRole.status, 400, 'unknown login fields (a claimed role) are refused');
  const { cookie, body } = await login('val', 'viewer-password-1');
  const res = await app.request('/api/v1/users', {
    method: 'POST',
    headers: {
      cookie,
      'x-csrf-token': body.csrfToken,
      'content-type': 'application/json',
      'x-role': 'admin',
    },
    body: JSON.stringify({ name: 'eve', role: 'admin', password: 'long-enough-password' }),
  });
  assert.equal(res.status, 403, 'the role comes from the server-side session only');
});

test('failed logins are throttled', async () => {
  const { login } = await setup();
  for (let i = 0; i < 3; i++) assert.equal((await login('ada', 'wrong')).res.status, 401);
  const blocked = await login('ada', 'admin-password-1');
  assert.equal(blocked.res.status, 429);
});

test('the SQL user store works on SQLite', async () => {
  const db = new Database(':memory:');
  db.exec(USERS_TABLE_SQL);
  const users = new UserService(new SqlUserStore(sqliteRunner(db)), () => 5);
  const first = await users.ensureAdmin(undefined);
  assert.equal(first.created, true);
  assert.ok(first.password);
  assert.ok(await users.verify('admin', first.password!));
  assert.equal(await users.verify('admin', 'nope-nope-nope'), undefined);
  await assert.rejects(users.create('admin', 'viewer', 'long-enough-pw'), /already exists/);
  await users.setPassword('admin', 'changed-password');
  assert.equal((await users.get('admin'))!.passwordChangedAt, 5);
  assert.equal((await users.ensureAdmin('x')).created, false);
});
