/** The `http` probe kind: one request with the target's method, headers and body. */
import type { ProbeKind } from '../facts.ts';
import { readBodyCapped, sendRequest } from '../transport.ts';

/** Sends the request, reads the body (capped) and reports status, headers and timings. */
export const probeHttp: ProbeKind = async (target, ctx) => {
  const method = target.method ?? 'GET';
  const call = {
    url: target.url,
    method,
    headers: target.headers,
    ...(target.body !== undefined ? { body: target.body } : {}),
  };
  const res = await sendRequest(call, ctx);
  const rawBody = method === 'HEAD' ? Buffer.alloc(0) : await readBodyCapped(res, ctx);
  return { status: res.status, headers: res.headers, ttfbMs: res.ttfbMs, rawBody };
};
