import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import { runProbe } from './run-probe.ts';
import { testTarget } from './test-targets.ts';

type Handler = (req: IncomingMessage, res: ServerResponse) => void;
const routes: Record<string, Handler> = {
  '/ok': (_q, res) => res.end('hello'),
  '/huge': (_q, res) => {
    // 50 MB streamed in 64 KiB chunks without content-length; stop when the client goes away
    res.writeHead(200, { 'content-type': 'application/octet-stream' });
    const chunk = Buffer.alloc(64 * 1024, 97);
    let sent = 0;
    const pump = () => {
      while (sent < 50 * 1024 * 1024 && !res.destroyed) {
        sent += chunk.length;
        if (!res.write(chunk)) return void res.once('drain', pump);
      }
      res.end();
    };
    pump();
  },
  '/huge-declared': (_q, res) => {
    res.writeHead(200, { 'content-length': String(50 * 1024 * 1024) });
    res.write('x');
  },
  '/never': (_q, res) => {
    res.writeHead(200, { 'content-type': 'application/json' });
    res.write('{"choices":');
  },
  '/bad-utf8/chat/completions': (_q, res) => {
    res.writeHead(200, { 'content-type': 'application/json' });
    res.end(
      Buffer.concat([
        Buffer.from('{"choices":[{"message":{"content":"'),
        Buffer.from([0xff, 0xfe]),
        Buffer.from('"}}]}'),
      ]),
    );
  },
  '/bomb/chat/completions': (_q, res) => res.end('['.repeat(2_000_000) + ']'.repeat(2_000_000)),
  '/garbage/chat/completions': (_q, res) => res.end('<html>502 Bad Gateway</html>'),
  '/wrong-shape/chat/completions': (_q, res) => res.end('{"choices":[{"text":"4"}]}'),
  '/bad-sse/chat/completions': (_q, res) => {
    res.writeHead(200, { 'content-type': 'text/event-stream' });
    res.end('this is not sse\n\n');
  },
  '/sse-no-done/chat/completions': (_q, res) => {
    res.writeHead(200, { 'content-type': 'text/event-stream' });
    res.end('data: {"choices":[{"delta":{"content":"4"}}]}\n\n');
  },
  '/json': (_q, res) => {
    res.writeHead(200, { 'content-type': 'application/json', 'x-req': 'abc' });
    res.end('{"data":[{"id":"m1"}],"n":3}');
  },
  '/teapot': (_q, res) => {
    res.statusCode = 418;
    res.end('no');
  },
};

let server: Server;
let base: string;
const sockets = new Set<Socket>();
before(async () => {
  server = createServer((req, res) =>
    (routes[req.url ?? ''] ?? ((_q, r) => ((r.statusCode = 404), r.end())))(req, res),
  );
  server.on('connection', (s) => {
    sockets.add(s);
    s.once('close', () => sockets.delete(s));
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});
after(async () => {
  server.closeAllConnections();
  await new Promise((r) => server.close(r));
});

test('http: status, headers, body and json assertions', async () => {
  const r = await runProbe(
    testTarget('http', `${base}/json`, {
      assertions: [
        'status == 200',
        'header.x-req == "abc"',
        'json.valid == true',
        'json.$.data[0].id == "m1"',
        'json.$.n >= 3',
        'body contains "m1"',
        'latency < 2s',
      ],
    }),
  );
  assert.equal(r.outcome, 'ok', JSON.stringify(r.assertions));
  assert.equal(r.assertions?.length, 7);
});

test('http: 418 fails the default status assertion with class http_4xx', async () => {
  const r = await runProbe(testTarget('http', `${base}/teapot`));
  assert.equal(r.outcome, 'failed');
  assert.equal(r.errorClass, 'http_4xx');
  assert.equal(r.status, 418);
  const expected = await runProbe(testTarget('http', `${base}/teapot`, { assertions: ['status == 418'] }));
  assert.equal(expected.outcome, 'ok');
});

test('a 50 MB body is cut at maxBodyBytes without buffering it', async () => {
  const rssBefore = process.memoryUsage().rss;
  const r = await runProbe(testTarget('http', `${base}/huge`, { maxBodyBytes: 1024 * 1024 }));
  assert.equal(r.errorClass, 'too_large', r.error);
  assert.ok(process.memoryUsage().rss - rssBefore < 40 * 1024 * 1024);
  const declared = await runProbe(testTarget('http', `${base}/huge-declared`, { maxBodyBytes: 1024 * 1024 }));
  assert.equal(declared.errorClass, 'too_large');
});

test('an endpoint that never finishes times out at the timeout and its socket is closed', async () => {
  const r = await runProbe(testTarget('http', `${base}/never`, { timeout: 300 }));
  assert.equal(r.errorClass, 'timeout');
  assert.ok(r.latencyMs >= 290 && r.latencyMs < 1000, `latency ${r.latencyMs}`);
  await new Promise((res) => setTimeout(res, 50));
  const open = [...sockets].filter((s) => !s.destroyed && s.bytesWritten > 0 && s.remotePort !== undefined);
  // the server may keep idle keep-alive sockets from other tests, but none is stuck mid-response
  assert.ok(open.every((s) => s.writableLength === 0));
});

const chatCases: [string, boolean, string][] = [
  ['bad-utf8', false, 'malformed'],
  ['bomb', false, 'malformed'],
  ['garbage', false, 'malformed'],
  ['wrong-shape', false, 'malformed'],
  ['bad-sse', true, 'malformed'],
  ['sse-no-done', true, 'malformed'],
];
for (const [path, stream, errorClass] of chatCases) {
  test(`openai-chat against ${path} → ${errorClass}`, async () => {
    const started = Date.now();
    const r = await runProbe(testTarget('openai-chat', `${base}/${path}`, { model: 'm', stream }));
    assert.equal(r.outcome, 'failed');
    assert.equal(r.errorClass, errorClass, r.error);
    assert.ok(Date.now() - started < 1500, 'does not hang');
  });
}

test('connection refused → connect; unparseable host → dns or connect', async () => {
  const probe = createServer();
  await new Promise<void>((r) => probe.listen(0, '127.0.0.1', r));
  const port = (probe.address() as AddressInfo).port;
  await new Promise((r) => probe.close(r));
  const r = await runProbe(testTarget('http', `http://127.0.0.1:${port}/`));
  assert.equal(r.errorClass, 'connect', r.error);
  const tcp = await runProbe(testTarget('tcp', `tcp://127.0.0.1:${port}`));
  assert.equal(tcp.errorClass, 'connect', tcp.error);
});

test('an outside abort ends the probe as internal', async () => {
  const controller = new AbortController();
  setTimeout(() => controller.abort(), 50);
  const r = await runProbe(testTarget('http', `${base}/never`, { timeout: 5_000 }), {
    signal: controller.signal,
  });
  assert.equal(r.errorClass, 'internal');
  assert.ok(r.latencyMs < 1000);
});

test('tcp: connect time', async () => {
  const port = Number(new URL(base).port);
  const r = await runProbe(testTarget('tcp', `127.0.0.1:${port}`));
  assert.equal(r.outcome, 'ok', r.error);
  assert.ok(r.timings.connectMs! >= 0);
});
