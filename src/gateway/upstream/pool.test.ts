import { strict as assert } from 'node:assert';
import http from 'node:http';
import https from 'node:https';
import net from 'node:net';
import type { TLSSocket } from 'node:tls';
import { after, describe, it } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import { selfSignedCert } from '../../../test/support/self-signed-cert.ts';
import { UpstreamCall } from '../upstream-call.ts';
import { failureOf, TestServers } from './test-servers.ts';
import { UpstreamPool } from './pool.ts';
import type { UpstreamHandler, UpstreamRequestOptions } from './types.ts';

const servers = new TestServers();
after(() => servers.closeAll());
const closers = servers.closers;
const listen = (server: net.Server) => servers.listen(server);
const rawServer = (onSocket: (s: net.Socket, index: number) => void) => servers.rawServer(onSocket);

function pool(
  port: number,
  opts: ConstructorParameters<typeof UpstreamPool>[1] = {},
  scheme = 'http',
): UpstreamPool {
  const p = new UpstreamPool(`${scheme}://127.0.0.1:${port}`, opts);
  closers.push(() => p.close());
  return p;
}

const post = (path = '/v1/x', body: string | Buffer = '{"a":1}'): UpstreamRequestOptions => ({
  method: 'POST',
  path,
  headers: { 'content-type': 'application/json', authorization: 'Bearer k' },
  body,
});

async function fetchText(p: UpstreamPool, opts = post()) {
  const call = new UpstreamCall(1 << 20);
  const body = await call.fetch(p, opts);
  return { status: call.status, headers: call.headers(), body: body.toString() };
}

/** Resolves with the error a request fails with. */
function failure(p: UpstreamPool, opts = post()): Promise<Error & { code?: string }> {
  return failureOf(p, opts);
}

describe('UpstreamPool', () => {
  it('sends method, path, host, headers and body, and reads content-length and chunked answers', async () => {
    const seen: { method?: string; url?: string; host?: string; auth?: string; body: string }[] = [];
    const port = await listen(
      http.createServer((req, res) => {
        let body = '';
        req.on('data', (d) => (body += d));
        req.on('end', () => {
          seen.push({
            method: req.method,
            url: req.url,
            host: req.headers.host,
            auth: req.headers.authorization,
            body,
          });
          if (req.url === '/chunked') {
            res.write('part one, ');
            setTimeout(() => res.end('part two'), 5);
          } else res.end(JSON.stringify({ ok: true, n: body.length }));
        });
      }),
    );
    const p = pool(port);
    const a = await fetchText(p, post('/v1/x', Buffer.from('{"é":1}')));
    assert.equal(a.status, 200);
    assert.deepEqual(JSON.parse(a.body), { ok: true, n: 7 }); // characters
    assert.equal(a.headers['content-length'], String(a.body.length));
    const b = await fetchText(p, post('/chunked', 'plain string body ✓'));
    assert.equal(b.body, 'part one, part two');
    assert.equal(b.headers['transfer-encoding'], 'chunked');
    assert.deepEqual(seen[0], {
      method: 'POST',
      url: '/v1/x',
      host: `127.0.0.1:${port}`,
      auth: 'Bearer k',
      body: '{"é":1}',
    });
    assert.equal(seen[1]!.body, 'plain string body ✓');
    assert.equal(p.size, 1, 'both requests went over one kept-alive connection');
  });

  it('reads a body that ends with the connection, and does not reuse that connection', async () => {
    const srv = await rawServer((s) =>
      s.once('data', () => s.end('HTTP/1.1 200 OK\r\nconnection: close\r\n\r\nuntil the end')),
    );
    const p = pool(srv.port);
    assert.equal((await fetchText(p)).body, 'until the end');
    assert.equal((await fetchText(p)).body, 'until the end');
    assert.equal(srv.connections(), 2);
  });

  it('keeps at most `connections` open and queues the rest in order', async () => {
    let open = 0;
    let most = 0;
    const order: string[] = [];
    const port = await listen(
      http.createServer((req, res) => {
        open++;
        most = Math.max(most, open);
        req.resume();
        req.on('end', () =>
          setTimeout(() => {
            open--;
            order.push(req.url!);
            res.end(req.url);
          }, 15),
        );
      }),
    );
    const p = pool(port, { connections: 2 });
    const answers = await Promise.all([1, 2, 3, 4, 5, 6].map((i) => fetchText(p, post(`/${i}`))));
    assert.deepEqual(
      answers.map((a) => a.body),
      ['/1', '/2', '/3', '/4', '/5', '/6'],
    );
    assert.equal(most, 2);
    assert.equal(p.size, 2);
    assert.equal(p.pending, 0);
  });

  it('closes a connection the server asked to close, and honours a short Keep-Alive hint', async () => {
    const port = await listen(
      http.createServer((req, res) => {
        req.resume();
        if (req.url === '/close') res.setHeader('connection', 'close');
        if (req.url === '/hint') res.setHeader('keep-alive', 'timeout=1');
        res.end('ok');
      }),
    );
    const p = pool(port);
    await fetchText(p, post('/close'));
    assert.equal(p.size, 0);
    await fetchText(p, post('/hint'));
    assert.equal(p.size, 0, 'timeout=1 leaves no safe idle time: closed at once');
    await fetchText(p, post('/keep'));
    assert.equal(p.size, 1);
    assert.equal(p.idleCount, 1);
  });

  it('drops an idle connection past keepAliveMs instead of reusing it', async () => {
    const srv = await rawServer((s) =>
      s.on('data', () => s.write('HTTP/1.1 200 OK\r\ncontent-length: 2\r\n\r\nok')),
    );
    const p = pool(srv.port, { keepAliveMs: 40 });
    await fetchText(p);
    await fetchText(p);
    assert.equal(srv.connections(), 1);
    await sleep(60);
    await fetchText(p);
    assert.equal(srv.connections(), 2);
    assert.equal(p.size, 1);
  });

  it('resends once, on a fresh connection, a request that met a reused connection closed by the server', async () => {
    const srv = await rawServer((s, index) => {
      let n = 0;
      s.on('data', () => {
        // The first connection answers once, then is closed under the second request.
        if (index === 0 && n++ === 1) s.destroy();
        else s.write('HTTP/1.1 200 OK\r\ncontent-length: 5\r\n\r\nfresh');
      });
    });
    const p = pool(srv.port);
    assert.equal((await fetchText(p)).body, 'fresh');
    assert.equal((await fetchText(p)).body, 'fresh');
    assert.equal(srv.connections(), 2);
  });

  it('fails, without resending, when a fresh connection closes before answering', async () => {
    const srv = await rawServer((s) => s.once('data', () => s.destroy()));
    const p = pool(srv.port);
    const err = await failure(p);
    assert.match(err.code ?? '', /ECONNRESET|UPSTREAM_CLOSED/);
    assert.equal(srv.connections(), 1);
    assert.equal(p.size, 0);
  });

  it('fails a connection that is cut in the middle of an answer', async () => {
    const srv = await rawServer((s) =>
      s.once('data', () => s.end('HTTP/1.1 200 OK\r\ncontent-length: 100\r\n\r\nonly part')),
    );
    const err = await failure(pool(srv.port));
    assert.equal(err.code, 'UPSTREAM_CLOSED');
    assert.match(err.message, /before the answer ended/);
  });

  it('reports a refused connection with its code', async () => {
    const probe = net.createServer();
    const port = await new Promise<number>((r) =>
      probe.listen(0, '127.0.0.1', () => r((probe.address() as net.AddressInfo).port)),
    );
    await new Promise((r) => probe.close(r));
    const err = await failure(pool(port));
    assert.equal(err.code, 'ECONNREFUSED');
  });

  it('times out a TLS handshake that never completes, within connectTimeoutMs', async () => {
    const srv = await rawServer(() => {}); // accepts, never speaks TLS
    const started = Date.now();
    const err = await failure(pool(srv.port, { connectTimeoutMs: 80 }, 'https'));
    assert.equal(err.code, 'CONNECT_TIMEOUT');
    assert.ok(Date.now() - started < 2000);
  });

  it('fails a stream that goes quiet for longer than its body timeout', async () => {
    const srv = await rawServer((s) =>
      s.once('data', () => s.write('HTTP/1.1 200 OK\r\ntransfer-encoding: chunked\r\n\r\n5\r\nfirst\r\n')),
    );
    const call = new UpstreamCall(1 << 20);
    await call.start(pool(srv.port), { ...post(), bodyTimeout: 60 });
    const first = await call.next();
    assert.equal(String(first.value), 'first');
    await assert.rejects(call.next(), (err: Error & { code?: string }) => err.code === 'BODY_TIMEOUT');
  });

  it('closes the upstream connection when a request is aborted mid-answer', async () => {
    let closedByClient = false;
    const srv = await rawServer((s) => {
      s.on('close', () => (closedByClient = true));
      s.once('data', () => {
        s.write('HTTP/1.1 200 OK\r\ntransfer-encoding: chunked\r\n\r\n3\r\none\r\n');
      });
    });
    const p = pool(srv.port);
    const call = new UpstreamCall(1 << 20);
    await call.start(p, post());
    assert.equal(String((await call.next()).value), 'one');
    call.abort(new Error('client went away'));
    await assert.rejects(call.next(), /client went away/);
    await sleep(30);
    assert.ok(closedByClient, 'the upstream saw its connection closed');
    assert.equal(p.size, 0);
  });

  it('pauses the socket while the handler holds back, and resumes on request', async () => {
    const srv = await rawServer((s) =>
      s.once('data', () => {
        s.write('HTTP/1.1 200 OK\r\ntransfer-encoding: chunked\r\n\r\n');
        let i = 0;
        const timer = setInterval(() => {
          if (s.destroyed) return clearInterval(timer);
          if (++i > 20) {
            clearInterval(timer);
            s.write('0\r\n\r\n');
          } else s.write('1\r\nx\r\n');
        }, 3);
      }),
    );
    let calls = 0;
    let bytes = 0;
    let resume: () => void = () => {};
    let finish!: () => void;
    let fail!: (err: Error) => void;
    const done = new Promise<void>((resolve, reject) => ((finish = resolve), (fail = reject)));
    const handler: UpstreamHandler = {
      onConnect: () => {},
      onHeaders: (_s, _h, r) => ((resume = r), true),
      onData: (chunk) => ((bytes += chunk.length), ++calls < 3), // hold back after the third call
      onComplete: () => finish(),
      onError: (err) => fail(err),
    };
    pool(srv.port).dispatch(post(), handler);
    await sleep(120);
    const held = bytes;
    assert.equal(calls, 3, 'paused after the third call');
    assert.ok(held < 20, `paused after ${held} of 20 bytes`);
    await sleep(40);
    assert.equal(bytes, held, 'no data while paused');
    resume();
    await done;
    assert.equal(bytes, 20);
  });

  it('skips a 100 Continue and reads a head with many header fields', async () => {
    const many = Array.from({ length: 40 }, (_, i) => `x-h${i}: ${i}\r\n`).join('');
    const srv = await rawServer((s) =>
      s.once('data', () =>
        s.write(`HTTP/1.1 100 Continue\r\n\r\nHTTP/1.1 201 Created\r\n${many}content-length: 2\r\n\r\nok`),
      ),
    );
    const a = await fetchText(pool(srv.port));
    assert.equal(a.status, 201);
    assert.equal(a.headers['x-h39'], '39');
    assert.equal(a.body, 'ok');
  });

  it('fails an answer that is not HTTP, and drops its connection', async () => {
    const srv = await rawServer((s) => s.once('data', () => s.write('SMTP ready\r\n\r\n')));
    const p = pool(srv.port);
    const err = await failure(p);
    assert.equal(err.code, 'UPSTREAM_PROTOCOL');
    assert.match(err.message, /invalid HTTP answer: status line "SMTP ready"/);
    assert.equal(p.size, 0);
  });

  it('refuses a header or path that would split the request, before anything is sent', async () => {
    const srv = await rawServer(() => {});
    const p = pool(srv.port);
    const bad = { ...post(), headers: { 'x-evil': 'a\r\ninjected: 1' } };
    assert.throws(() => p.dispatch(bad, new UpstreamCall(10)), /CR, LF or NUL/);
    assert.throws(() => p.dispatch({ ...post(), path: '/a b' }, new UpstreamCall(10)), /upstream path/);
    assert.equal(p.size, 0);
    assert.equal(srv.connections(), 0);
  });

  it('fails waiting and in-flight requests when closed', async () => {
    const srv = await rawServer(() => {}); // never answers
    const p = pool(srv.port, { connections: 1 });
    const first = failure(p);
    const queued = failure(p);
    await sleep(20);
    assert.equal(p.pending, 1);
    await p.close();
    assert.equal((await first).code, 'POOL_CLOSED');
    assert.equal((await queued).code, 'POOL_CLOSED');
    assert.equal((await failure(p)).code, 'POOL_CLOSED');
  });

  it('speaks TLS to an upstream with a private CA, reusing the connection', async () => {
    const { key, cert } = selfSignedCert();
    let connections = 0;
    const resumed: boolean[] = [];
    const server = https.createServer({ key, cert }, (req, res) => {
      req.resume();
      resumed.push((req.socket as TLSSocket).isSessionReused());
      res.end(`tls ${req.socket.constructor.name}`);
    });
    server.on('secureConnection', () => connections++);
    const port = await listen(server);
    const trusted = new UpstreamPool(`https://localhost:${port}`, { tls: { ca: cert } });
    closers.push(() => trusted.close());
    assert.equal((await fetchText(trusted)).body, 'tls TLSSocket');
    assert.equal((await fetchText(trusted)).body, 'tls TLSSocket');
    assert.equal(connections, 1);
    // A new connection to the same origin resumes the TLS session instead of a full handshake.
    const shortLived = new UpstreamPool(`https://localhost:${port}`, { tls: { ca: cert }, keepAliveMs: 1 });
    closers.push(() => shortLived.close());
    await fetchText(shortLived);
    await sleep(10);
    await fetchText(shortLived);
    assert.equal(connections, 3);
    assert.deepEqual(resumed.slice(2), [false, true]);
    const err = await failure(pool(port, {}, 'https'));
    assert.match(err.code ?? '', /SELF_SIGNED|UNABLE_TO_VERIFY/);
  });
  it('drain: a request in flight completes, then its connection closes; a late request still succeeds', async () => {
    let release: (() => void) | undefined;
    const closed: number[] = [];
    let n = 0;
    const server = http.createServer((req, res) => {
      const id = n++;
      req.socket.once('close', () => closed.push(id));
      if (req.url === '/slow') release = () => res.end('slow');
      else res.end('fast');
    });
    const port = await listen(server);
    const p = pool(port, { connections: 4 });
    const slow = fetchText(p, post('/slow'));
    await fetchText(p, post('/warm')); // a second connection, left idle
    while (!release) await sleep(5);
    assert.equal(p.size, 2);
    p.drain();
    assert.ok(p.isDraining);
    assert.equal(p.idleCount, 0, 'idle connections close at once');
    release();
    assert.equal((await slow).body, 'slow', 'the request in flight is not cut');
    const late = await fetchText(p, post('/late'));
    assert.equal(late.body, 'fast', 'an attempt planned before the reload is still served');
    for (let i = 0; i < 100 && p.size > 0; i++) await sleep(5);
    assert.equal(p.size, 0, 'busy connections close once their request ended');
    for (let i = 0; i < 100 && closed.length < 3; i++) await sleep(5);
    assert.equal(closed.length, 3, `the server saw every connection close (${closed.join(',')})`);
  });

  it('setConnectionLimit: raising the limit starts waiting requests at once', async () => {
    const held: (() => void)[] = [];
    const server = http.createServer((req, res) => void held.push(() => res.end('ok')));
    const port = await listen(server);
    const p = pool(port, { connections: 1 });
    const a = fetchText(p);
    const b = fetchText(p);
    while (held.length < 1) await sleep(5);
    assert.equal(p.pending, 1);
    p.setConnectionLimit(2);
    while (held.length < 2) await sleep(5);
    assert.equal(p.pending, 0);
    assert.equal(p.size, 2);
    for (const h of held) h();
    assert.deepEqual([(await a).body, (await b).body], ['ok', 'ok']);
  });
});
