/**
 * The floor under the gateway's hot path: a proxy with none of the gateway's logic, only the
 * upstream pool (`src/gateway/upstream/`) and a server in front, to see what the server side
 * costs. Mode `node-http`: node:http's server; mode `net`: a bare node:net server with a
 * minimal HTTP/1.1 reader (Content-Length bodies only; a measuring tool, not a server to use).
 * Each request is forwarded to the upstream's chat path and its answer parsed as JSON and sent
 * back. Run it beside the benchmark's upstream and compare with wrk against nines and nginx:
 *
 *   node --import tsx bench/gateway.ts upstream 19320 &
 *   node --import tsx bench/gateway-floor.ts node-http 19322 19320 &
 *   node --import tsx bench/gateway-floor.ts net 19324 19320 &
 *
 * Loopback only; it serves until killed (SIGTERM).
 */
import { createServer as createHttpServer } from 'node:http';
import { createServer as createNetServer, type Socket } from 'node:net';
import { UpstreamPool } from '../src/gateway/upstream/pool.ts';
import type { UpstreamHandler } from '../src/gateway/upstream/types.ts';

const [mode, portArg, upArg] = process.argv.slice(2);
const port = Number(portArg);
const pool = new UpstreamPool(`http://127.0.0.1:${Number(upArg)}`, { connections: 256 });
const PATH = '/v1/chat/completions';

/** Sends `body` upstream; `done` gets the parsed-and-checked answer bytes, or undefined on failure. */
function forward(body: Buffer, done: (answer: Buffer | undefined) => void): void {
  const parts: Buffer[] = [];
  const handler: UpstreamHandler = {
    onConnect() {},
    onHeaders: () => true,
    onData(c) {
      parts.push(c);
      return true;
    },
    onComplete() {
      const answer = Buffer.concat(parts);
      JSON.parse(answer.toString('utf8'));
      done(answer);
    },
    onError: () => done(undefined),
  };
  pool.dispatch(
    { method: 'POST', path: PATH, headers: { 'content-type': 'application/json' }, body },
    handler,
  );
}

function serveNodeHttp(): void {
  createHttpServer({ keepAliveTimeout: 65_000, requestTimeout: 0 }, (req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () =>
      forward(Buffer.concat(chunks), (answer) => {
        if (!answer) return void res.writeHead(502).end();
        res.writeHead(200, { 'content-type': 'application/json', 'content-length': answer.length });
        res.end(answer);
      }),
    );
  }).listen(port, '127.0.0.1');
}

function serveNet(): void {
  createNetServer({ noDelay: true }, (sock: Socket) => {
    let buf: Buffer | undefined;
    sock.on('error', () => sock.destroy());
    sock.on('data', (d: Buffer) => {
      let data: Buffer = buf ? Buffer.concat([buf, d]) : d;
      buf = data;
      for (;;) {
        const end: number = data.indexOf('\r\n\r\n');
        if (end < 0) return;
        const head: string = data.toString('latin1', 0, end);
        const len = Number(/content-length:\s*(\d+)/i.exec(head)?.[1] ?? 0);
        if (data.length < end + 4 + len) return;
        const body = data.subarray(end + 4, end + 4 + len);
        buf = data.length > end + 4 + len ? data.subarray(end + 4 + len) : undefined;
        forward(body, (answer) => {
          if (!answer) return void sock.destroy();
          const text = answer.toString('latin1');
          sock.write(
            `HTTP/1.1 200 OK\r\ncontent-type: application/json\r\ncontent-length: ${answer.length}\r\n\r\n${text}`,
            'latin1',
          );
        });
        if (!buf) return;
        data = buf;
      }
    });
  }).listen(port, '127.0.0.1');
}

if (mode === 'node-http') serveNodeHttp();
else if (mode === 'net') serveNet();
else {
  console.error('usage: gateway-floor.ts node-http|net <port> <upstream port>');
  process.exit(2);
}
process.on('SIGTERM', () => process.exit(0));
