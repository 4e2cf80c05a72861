/**
 * Real loopback receivers for the delivery conformance suite, tests and the bench: an HTTP
 * server and an SMTP server whose behaviour is switched per test (answer ok, 503, 429, 400,
 * answer too slowly, answer 200 with garbage).
 */
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import { SMTPServer } from 'smtp-server';

/** How a test receiver answers the next requests. */
export type ReceiverMode = 'ok' | 'unavailable' | 'rate_limited' | 'rejected' | 'slow' | 'garbage';

/** One request (or message) a test receiver got. */
export interface ReceivedRequest {
  path: string;
  headers: Record<string, string | string[] | undefined>;
  body: string;
}

/** A running test receiver. */
export interface TestReceiver {
  /** Where to send (`http://127.0.0.1:PORT` or `127.0.0.1:PORT` for SMTP). */
  address: string;
  received: ReceivedRequest[];
  mode: ReceiverMode;
  /** How long `slow` waits before answering. */
  slowMs: number;
  close(): Promise<void>;
}

/** What a healthy HTTP receiver answers; channels differ (PagerDuty: 202 + JSON). */
export interface OkReply {
  status: number;
  body: string | ((req: ReceivedRequest) => string);
  contentType?: string;
}

/** Starts an HTTP receiver on a free loopback port. */
export async function startHttpReceiver(ok: OkReply = { status: 200, body: 'ok' }): Promise<TestReceiver> {
  const sockets = new Set<Socket>();
  const state: TestReceiver = { address: '', received: [], mode: 'ok', slowMs: 2000, close: async () => {} };
  const server = createServer((req: IncomingMessage, res: ServerResponse) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const got: ReceivedRequest = {
        path: req.url ?? '/',
        headers: req.headers,
        body: Buffer.concat(chunks).toString('utf8'),
      };
      const mode = state.mode;
      if (mode !== 'rejected' && mode !== 'unavailable' && mode !== 'rate_limited') state.received.push(got);
      const answer = (status: number, body: string, type = 'text/plain') => {
        if (res.destroyed) return;
        res.writeHead(status, { 'content-type': type });
        res.end(body);
      };
      if (mode === 'unavailable') return answer(503, 'service unavailable');
      if (mode === 'rate_limited') return answer(429, 'slow down');
      if (mode === 'rejected') return answer(400, '{"error":"bad request"}', 'application/json');
      if (mode === 'garbage') return answer(200, '\u0000<html>not what you expected', 'application/json');
      const reply = () =>
        answer(ok.status, typeof ok.body === 'function' ? ok.body(got) : ok.body, ok.contentType);
      if (mode === 'slow') setTimeout(reply, state.slowMs).unref();
      else reply();
    });
  });
  server.on('connection', (s) => {
    sockets.add(s);
    s.on('close', () => sockets.delete(s));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  state.address = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  state.close = () =>
    new Promise<void>((resolve) => {
      for (const s of sockets) s.destroy();
      server.close(() => resolve());
    });
  return state;
}

/** Starts an SMTP server on a free loopback port (no TLS, any auth accepted). */
export async function startSmtpReceiver(): Promise<TestReceiver> {
  const state: TestReceiver = { address: '', received: [], mode: 'ok', slowMs: 2000, close: async () => {} };
  const server = new SMTPServer({
    secure: false,
    authOptional: true,
    disabledCommands: ['STARTTLS'],
    logger: false,
    onAuth: (_auth, _session, cb) => cb(null, { user: 'test' }),
    onData(stream, session, cb) {
      const chunks: Buffer[] = [];
      stream.on('data', (c: Buffer) => chunks.push(c));
      stream.on('end', () => {
        const fail = (code: number, text: string) =>
          cb(Object.assign(new Error(text), { responseCode: code }));
        const mode = state.mode;
        if (mode === 'unavailable') return fail(451, 'Temporary local problem');
        if (mode === 'rate_limited') return fail(452, 'Too many messages, try later');
        if (mode === 'rejected') return fail(550, 'Mailbox unavailable');
        const parsed = parseMessage(Buffer.concat(chunks).toString('utf8'));
        state.received.push({ path: session.envelope.rcptTo.map((r) => r.address).join(','), ...parsed });
        if (mode === 'slow') setTimeout(() => cb(null), state.slowMs).unref();
        else cb(null);
      });
    },
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const addr = (server as unknown as { server: { address(): AddressInfo } }).server.address();
  state.address = `127.0.0.1:${addr.port}`;
  state.close = () => new Promise<void>((resolve) => server.close(() => resolve()));
  return state;
}

/** An address nothing listens on (a port opened then closed): sends get connection refused. */
export async function refusedAddress(): Promise<string> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as AddressInfo).port;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return `127.0.0.1:${port}`;
}

/**
 * Parses a single-part RFC 5322 message as nodemailer writes it: unfolded, lower-cased headers
 * and the body decoded from quoted-printable or base64.
 */
export function parseMessage(raw: string): { headers: Record<string, string>; body: string } {
  const split = raw.indexOf('\r\n\r\n');
  const head = split < 0 ? raw : raw.slice(0, split);
  const rawBody = split < 0 ? '' : raw.slice(split + 4);
  const headers: Record<string, string> = {};
  for (const line of head.replace(/\r\n[ \t]+/g, ' ').split('\r\n')) {
    const colon = line.indexOf(':');
    if (colon > 0) headers[line.slice(0, colon).toLowerCase()] = line.slice(colon + 1).trim();
  }
  const encoding = (headers['content-transfer-encoding'] ?? '').toLowerCase();
  let body = rawBody;
  if (encoding === 'quoted-printable') {
    const bytes = rawBody.replace(/=\r\n/g, '').replace(/=([0-9A-F]{2})/gi, (_, h: string) => `%${h}`);
    body = decodeURIComponent(bytes.replace(/%(?![0-9A-F]{2})/gi, '%25'));
  } else if (encoding === 'base64') {
    body = Buffer.from(rawBody, 'base64').toString('utf8');
  }
  return { headers, body };
}
