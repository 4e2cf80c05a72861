/**
 * User management: `GET/POST /api/v1/users` (admin) and `PUT /api/v1/users/:name/password`
 * (yourself, with your current password; or an admin for anyone). A password change revokes
 * every other session of that user.
 */
import { Hono } from 'hono';
import { getCookie } from 'hono/cookie';
import { z } from 'zod';
import { ROLES } from '../../config/sections.ts';
import { NinesError } from '../../core/errors.ts';
import { requireRole, type AuthVariables } from '../auth.ts';
import { readJson } from '../body.ts';
import { SESSION_COOKIE, type SessionManager } from '../session.ts';
import type { UserService } from '../users.ts';

const userName = z.string().regex(/^[A-Za-z0-9._@-]{1,64}$/, 'must be 1-64 letters, digits, . _ @ or -');
const createBody = z.object({ name: userName, role: z.enum(ROLES), password: z.string().max(1024) }).strict();
const passwordBody = z
  .object({ password: z.string().max(1024), currentPassword: z.string().max(1024).optional() })
  .strict();

/** An API extension with the user routes (pass to `createApiApp({ extensions })`). */
export function usersExtension(
  users: UserService,
  sessions: SessionManager,
): (api: Hono<{ Variables: AuthVariables }>) => void {
  return (api) => {
    const app = new Hono<{ Variables: AuthVariables }>();
    app.get('/users', requireRole('admin'), async (c) => c.json({ users: await users.list() }));
    app.post('/users', requireRole('admin'), async (c) => {
      const body = await readJson(c, createBody);
      return c.json({ user: await users.create(body.name, body.role, body.password) }, 201);
    });
    app.put('/users/:name/password', async (c) => {
      const name = c.req.param('name');
      const me = c.get('principal');
      const body = await readJson(c, passwordBody);
      if (me.name === name) {
        if (!body.currentPassword || !(await users.verify(name, body.currentPassword))) {
          throw new NinesError('FORBIDDEN', 'currentPassword is missing or wrong');
        }
      } else if (me.role !== 'admin') {
        throw new NinesError('FORBIDDEN', `only an admin may change the password of "${name}"`);
      }
      if (!(await users.get(name))) throw new NinesError('NOT_FOUND', `no user named "${name}"`);
      await users.setPassword(name, body.password);
      const revoked = sessions.revokeUser(name, me.name === name ? getCookie(c, SESSION_COOKIE) : undefined);
      return c.json({ ok: true, revokedSessions: revoked });
    });
    api.route('/', app);
  };
}
