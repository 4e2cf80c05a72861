/**
 * The `tcp` and `tls` probe kinds: connect time, TLS handshake time and the certificate's days
 * left. The socket is always destroyed, on success, error and abort.
 */
import { connect as netConnect, type Socket } from 'node:net';
import { rootCertificates as tlsRootCertificates, connect as tlsConnect, type TLSSocket } from 'node:tls';
import type { ProbeKind } from '../facts.ts';
import { classifyError, elapsed, ProbeFailure, type ProbeContext } from '../transport.ts';

/** Host and port from `tcp://h:p`, `tls://h:p`, `https://h[:p]` or `h:p`. */
export function parseHostPort(url: string, defaultPort?: number): { host: string; port: number } {
  const rest = url.replace(/^[a-z]+:\/\//i, '').replace(/\/.*$/, '');
  const m = /^(\[[^\]]+\]|[^:]+)(?::(\d{1,5}))?$/.exec(rest);
  const port = m?.[2] !== undefined ? Number(m[2]) : defaultPort;
  if (!m || port === undefined || port < 1 || port > 65535)
    throw new ProbeFailure('internal', `cannot read host:port from "${url}"`);
  return { host: m[1]!.replace(/^\[|\]$/g, ''), port };
}

function withSocket<T>(
  ctx: ProbeContext,
  open: () => Socket,
  onReady: (socket: Socket, resolve: (v: T) => void, reject: (e: unknown) => void) => void,
): Promise<T> {
  return new Promise<T>((resolve, reject) => {
    const socket = open();
    const finish = (fn: () => void) => {
      ctx.signal.removeEventListener('abort', onAbort);
      socket.destroy();
      fn();
    };
    const onAbort = () => finish(() => reject(classifyError(ctx.signal.reason, ctx.timedOut())));
    if (ctx.signal.aborted) return onAbort();
    ctx.signal.addEventListener('abort', onAbort, { once: true });
    socket.once('error', (err) => finish(() => reject(classifyError(err, ctx.timedOut()))));
    onReady(
      socket,
      (v) => finish(() => resolve(v)),
      (e) => finish(() => reject(e)),
    );
  });
}

/** Opens a TCP connection and reports how long it took. */
export const probeTcp: ProbeKind = async (target, ctx) => {
  const { host, port } = parseHostPort(target.url);
  const connectMs = await withSocket<number>(
    ctx,
    () => netConnect({ host, port }),
    (socket, resolve) => socket.once('connect', () => resolve(elapsed(ctx))),
  );
  return { connectMs };
};

/** Completes a TLS handshake (certificate verified) and reports its timing and days left. */
export const probeTls: ProbeKind = async (target, ctx, now) => {
  const { host, port } = parseHostPort(target.url, 443);
  let connectMs: number | undefined;
  const { tlsMs, validTo } = await withSocket<{ tlsMs: number; validTo: string }>(
    ctx,
    () => {
      const servername = /^[\d.]+$|:/.test(host) ? undefined : host;
      const s: TLSSocket = tlsConnect({
        host,
        port,
        ...(servername ? { servername } : {}),
        rejectUnauthorized: true,
        ...(ctx.ca ? { ca: [...tlsRootCertificates, ctx.ca.toString()] } : {}),
      });
      s.once('connect', () => (connectMs = elapsed(ctx)));
      return s;
    },
    (socket, resolve, reject) =>
      socket.once('secureConnect', () => {
        const cert = (socket as TLSSocket).getPeerCertificate();
        if (!cert?.valid_to) return reject(new ProbeFailure('tls', 'server sent no certificate'));
        resolve({ tlsMs: elapsed(ctx) - (connectMs ?? 0), validTo: cert.valid_to });
      }),
  );
  const certDaysLeft = Math.floor(((Date.parse(validTo) - now()) / 86_400_000) * 10) / 10;
  return { connectMs, tlsMs: Math.round(tlsMs * 100) / 100, certDaysLeft };
};
