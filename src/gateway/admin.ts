/**
 * The gateway's admin endpoints (bearer `adminToken`): breaker states, probe health and
 * game-day faults.
 *
 *   GET    /admin/breakers                → [{ deployment, phase, opens, health, inFlight, fault }]
 *   POST   /admin/faults                  → inject { deployment, latencyMs?, errorRate?, errorStatus?, duration }
 *   DELETE /admin/faults/:deployment      → clear an injected fault
 *   PUT    /admin/health/:deployment      → { health: healthy|unhealthy|unknown }
 */
import { timingSafeEqual } from 'node:crypto';
import { z } from 'zod';
import { durationSchema } from '../config/duration-schema.ts';
import { NinesError } from '../core/errors.ts';
import { readBody, sendError, sendJson } from './http-io.ts';
import type { HttpRequestLike, HttpResponseLike } from './server/types.ts';

/** A game-day fault as the admin endpoint and `injectFault` take it. */
export const faultRequestSchema = z
  .object({
    deployment: z.string().min(1),
    latencyMs: z.number().nonnegative().default(0),
    errorRate: z.number().min(0).max(1).default(0),
    errorStatus: z.number().int().min(400).max(599).default(503),
    duration: durationSchema,
  })
  .strict();

/** A parsed fault request. */
export type FaultRequest = z.infer<typeof faultRequestSchema>;

/** What the admin endpoints control. */
export interface AdminControl {
  breakerStates(): unknown[];
  injectFault(f: FaultRequest): void;
  clearFault(deployment: string): void;
  setHealth(deployment: string, health: 'healthy' | 'unhealthy' | 'unknown'): void;
}

function authorized(req: HttpRequestLike, token: string | undefined): boolean {
  if (!token) return false;
  const auth = req.headers.authorization ?? '';
  const a = Buffer.from(auth);
  const b = Buffer.from(`Bearer ${token}`);
  return a.length === b.length && timingSafeEqual(a, b);
}

async function jsonBody(req: HttpRequestLike): Promise<unknown> {
  const raw = await readBody(req, 64 * 1024);
  try {
    return JSON.parse(raw.toString('utf8'));
  } catch {
    throw new NinesError('VALIDATION', 'the request body is not valid JSON');
  }
}

/** Handles one `/admin/...` request. */
export async function handleAdmin(
  control: AdminControl,
  token: string | undefined,
  path: string,
  req: HttpRequestLike,
  res: HttpResponseLike,
) {
  try {
    if (!token) throw new NinesError('NOT_FOUND', 'admin endpoints are disabled (set gateway.adminToken)');
    if (!authorized(req, token))
      throw new NinesError('UNAUTHORIZED', 'admin endpoints need Authorization: Bearer <adminToken>');
    const method = req.method ?? 'GET';
    if (path === '/admin/breakers' && method === 'GET')
      return sendJson(res, 200, { deployments: control.breakerStates() });
    if (path === '/admin/faults' && method === 'POST') {
      const parsed = faultRequestSchema.safeParse(await jsonBody(req));
      if (!parsed.success) {
        const issue = parsed.error.issues[0]!;
        throw new NinesError('VALIDATION', `${issue.path.join('.') || 'body'}: ${issue.message}`);
      }
      control.injectFault(parsed.data);
      return sendJson(res, 200, { deployments: control.breakerStates() });
    }
    const fault = /^\/admin\/faults\/(.+)$/.exec(path);
    if (fault && method === 'DELETE') {
      control.clearFault(decodeURIComponent(fault[1]!));
      return sendJson(res, 200, { deployments: control.breakerStates() });
    }
    const health = /^\/admin\/health\/(.+)$/.exec(path);
    if (health && method === 'PUT') {
      const body = (await jsonBody(req)) as { health?: unknown };
      const h = body?.health;
      if (h !== 'healthy' && h !== 'unhealthy' && h !== 'unknown')
        throw new NinesError('VALIDATION', 'health must be healthy, unhealthy or unknown');
      control.setHealth(decodeURIComponent(health[1]!), h);
      return sendJson(res, 200, { deployments: control.breakerStates() });
    }
    throw new NinesError('NOT_FOUND', `no admin route ${method} ${path}`);
  } catch (err) {
    sendError(res, err);
  }
}
