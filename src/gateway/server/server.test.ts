import assert from 'node:assert/strict';
import http from 'node:http';
import net from 'node:net';
import { describe, it, type TestContext } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import { readBody, sendError } from '../http-io.ts';
import { startHarness, TEST_KEY } from '../test-harness.ts';
import type { GatewayServerRequest } from './connection.ts';
import type { GatewayServerResponse } from './response.ts';
import { createGatewayServer, type GatewayRequestHandler, type ServerLimits } from './server.ts';

/** Runs `fn` once test `t` ended (a hook of its own: the timeout tests run concurrently). */
function cleanup(t: TestContext, fn: () => unknown): void {
  t.after(async () => void (await fn()));
}

/** Starts a server on 127.0.0.1, closed (cutting connections) when `t` ends. */
async function start(t: TestContext, handler: GatewayRequestHandler, limits: Partial<ServerLimits> = {}) {
  const srv = createGatewayServer(handler, limits);
  const port = await srv.listen(0, '127.0.0.1');
  cleanup(t, () => srv.close(true));
  return { srv, port };
}

/** A response as read off the wire. */
interface Reply {
  status: number;
  /** The head's text, status line and fields, without the blank line. */
  head: string;
  /** Lower-case names; repeats joined with ', '. */
  headers: Record<string, string>;
  body: Buffer;
}

/**
 * Splits the bytes a client read into complete responses: bodies by Content-Length, strictly
 * decoded chunks, or (once the connection closed) the rest. `heads`: requests that were HEAD, by index.
 */
function parseReplies(data: Buffer, closed: boolean, heads: ReadonlySet<number> = new Set()): Reply[] {
  const out: Reply[] = [];
  let at = 0;
  while (at < data.length) {
    const end = data.indexOf('\r\n\r\n', at);
    if (end === -1) break;
    const head = data.toString('latin1', at, end);
    const [statusLine, ...lines] = head.split('\r\n');
    const m = /^HTTP\/1\.[01] (\d{3}) /.exec(statusLine!);
    assert.ok(m, `bad status line ${JSON.stringify(statusLine)}`);
    const status = Number(m[1]);
    const headers: Record<string, string> = {};
    for (const line of lines) {
      const colon = line.indexOf(':');
      assert.ok(colon > 0, `bad field ${JSON.stringify(line)}`);
      const name = line.slice(0, colon).toLowerCase();
      const value = line.slice(colon + 1).trim();
      headers[name] = headers[name] === undefined ? value : `${headers[name]}, ${value}`;
    }
    let pos = end + 4;
    let body: Buffer;
    const finalCount = out.filter((r) => r.status >= 200).length;
    if (status < 200 || status === 204 || status === 304 || heads.has(finalCount)) body = Buffer.alloc(0);
    else if (headers['content-length'] !== undefined) {
      const n = Number(headers['content-length']);
      if (data.length < pos + n) break;
      body = data.subarray(pos, pos + n);
      pos += n;
    } else if (headers['transfer-encoding'] === 'chunked') {
      const parts: Buffer[] = [];
      let complete = false;
      for (;;) {
        const nl = data.indexOf('\r\n', pos);
        if (nl === -1) break;
        const size = parseInt(data.toString('latin1', pos, nl), 16);
        assert.ok(Number.isInteger(size), `bad chunk size at ${pos}`);
        if (size === 0) {
          if (data.length < nl + 4) break;
          assert.equal(data.toString('latin1', nl, nl + 4), '\r\n\r\n', 'no trailers expected');
          pos = nl + 4;
          complete = true;
          break;
        }
        if (data.length < nl + 2 + size + 2) break;
        parts.push(data.subarray(nl + 2, nl + 2 + size));
        assert.equal(
          data.toString('latin1', nl + 2 + size, nl + 4 + size),
          '\r\n',
          'chunk data ends with CRLF',
        );
        pos = nl + 4 + size;
      }
      if (!complete) break;
      body = Buffer.concat(parts);
    } else {
      if (!closed) break;
      body = data.subarray(pos);
      pos = data.length;
    }
    out.push({ status, head, headers, body });
    at = pos;
  }
  return out;
}

/** A raw client socket that keeps every byte it reads. */
class Raw {
  readonly sock: net.Socket;
  private chunks: Buffer[] = [];
  isClosed = false;
  received = 0;
  private readonly waiters = new Set<() => void>();

  private constructor(t: TestContext, sock: net.Socket) {
    this.sock = sock;
    sock.on('data', (d: Buffer) => {
      this.chunks.push(d);
      this.received += d.length;
      this.wake();
    });
    sock.on('error', () => {});
    sock.on('close', () => {
      this.isClosed = true;
      this.wake();
    });
    cleanup(t, () => sock.destroy());
  }

  static open(t: TestContext, port: number, opts: { allowHalfOpen?: boolean } = {}): Promise<Raw> {
    return new Promise((resolve, reject) => {
      const sock = net.connect({ port, host: '127.0.0.1', allowHalfOpen: opts.allowHalfOpen ?? false });
      sock.once('error', reject);
      sock.once('connect', () => {
        sock.off('error', reject);
        resolve(new Raw(t, sock));
      });
    });
  }

  private wake(): void {
    for (const w of this.waiters) w();
  }

  write(data: string | Buffer): void {
    this.sock.write(data);
  }

  get data(): Buffer {
    if (this.chunks.length > 1) this.chunks = [Buffer.concat(this.chunks)];
    return this.chunks[0] ?? Buffer.alloc(0);
  }

  get text(): string {
    return this.data.toString('latin1');
  }

  /** True when the last bytes read are `s` (cheap: looks at the last chunks only). */
  endsWith(s: string): boolean {
    let tail = '';
    for (let i = this.chunks.length - 1; i >= 0 && tail.length < s.length; i--)
      tail = this.chunks[i]!.toString('latin1') + tail;
    return tail.endsWith(s);
  }

  replies(heads?: ReadonlySet<number>): Reply[] {
    return parseReplies(this.data, this.isClosed, heads);
  }

  /** Resolves with the first truthy value of `check`, run after every read; fails after `ms`. */
  until<T>(check: () => T | undefined | false | null, what: string, ms = 2000): Promise<T> {
    return new Promise<T>((resolve, reject) => {
      const run = (): void => {
        let v: T | undefined | false | null;
        try {
          v = check();
        } catch (err) {
          done();
          return reject(err as Error);
        }
        if (v) {
          done();
          resolve(v);
        }
      };
      const timer = setTimeout(() => {
        done();
        reject(new Error(`timed out waiting for ${what}; read ${JSON.stringify(this.text.slice(0, 400))}`));
      }, ms);
      const done = (): void => {
        clearTimeout(timer);
        this.waiters.delete(run);
      };
      this.waiters.add(run);
      run();
    });
  }

  /** Waits for `n` complete responses (100 Continue counts as one). */
  async awaitReplies(n: number, heads?: ReadonlySet<number>, ms?: number): Promise<Reply[]> {
    return this.until(
      () => {
        const r = this.replies(heads);
        return r.length >= n ? r : undefined;
      },
      `${n} replies`,
      ms,
    );
  }

  closed(ms = 2000): Promise<true> {
    return this.until(() => this.isClosed, 'the connection to close', ms);
  }
}

/** Resolves when `pred` holds, polling; fails after `ms`. */
async function eventually(pred: () => boolean, what: string, ms = 2000): Promise<void> {
  for (const until = Date.now() + ms; !pred(); await sleep(5))
    if (Date.now() > until) throw new Error(`timed out waiting for ${what}`);
}

/** A handler answering `METHOD URL body` as text with Content-Length. */
const echo: GatewayRequestHandler = (req, res) => {
  const text = `${req.method} ${req.url} ${req.body.toString()}`;
  res.writeHead(200, { 'content-type': 'text/plain', 'content-length': Buffer.byteLength(text) });
  res.end(text);
};

/** GETs `path` with node's http client (no agent); resolves with status, headers and body. */
function httpGet(port: number, path: string, method = 'GET') {
  return new Promise<{ status: number; headers: http.IncomingHttpHeaders; body: Buffer }>(
    (resolve, reject) => {
      const req = http.request({ host: '127.0.0.1', port, path, method, agent: false }, (res) => {
        const parts: Buffer[] = [];
        res.on('data', (d: Buffer) => parts.push(d));
        res.on('end', () =>
          resolve({ status: res.statusCode!, headers: res.headers, body: Buffer.concat(parts) }),
        );
        res.on('error', reject);
      });
      req.on('error', reject);
      req.end();
    },
  );
}

describe('gateway server: requests', () => {
  it('keeps a connection alive for a second request, a body split across writes', async (t) => {
    const { srv, port } = await start(t, echo);
    const c = await Raw.open(t, port);
    c.write('GET /one HTTP/1.1\r\nHost: x\r\n\r\n');
    const [first] = await c.awaitReplies(1);
    assert.equal(first!.status, 200);
    assert.equal(first!.body.toString(), 'GET /one ');
    assert.equal(first!.headers.connection, 'keep-alive');
    assert.match(first!.headers['keep-alive'] ?? '', /^timeout=\d+$/);
    assert.ok(first!.headers.date);
    c.write('POST /two HTTP/1.1\r\nHost: x\r\nContent-Length: 11\r\n\r\nhello');
    await sleep(20);
    c.write(' world');
    const replies = await c.awaitReplies(2);
    assert.equal(replies[1]!.body.toString(), 'POST /two hello world');
    assert.equal(c.isClosed, false);
    assert.equal(srv.connections, 1);
  });

  it('reads a head and body that arrive a few bytes at a time', async (t) => {
    const { port } = await start(t, echo);
    const c = await Raw.open(t, port);
    c.sock.setNoDelay(true);
    const wire = 'POST /pieces HTTP/1.1\r\nHost: x\r\nContent-Length: 6\r\n\r\nabcdef';
    for (let i = 0; i < wire.length; i += 7) {
      c.write(wire.slice(i, i + 7));
      await sleep(2);
    }
    const [r] = await c.awaitReplies(1);
    assert.equal(r!.body.toString(), 'POST /pieces abcdef');
  });

  it('answers two pipelined requests sent in one write in order, one at a time', async (t) => {
    const calls: string[] = [];
    const { port } = await start(t, (req, res) => {
      calls.push(`start ${req.url}`);
      // the first answer is late: the second must still come after it
      const delay = req.url === '/slow' ? 100 : 0;
      setTimeout(() => {
        calls.push(`end ${req.url}`);
        echo(req, res);
      }, delay);
    });
    const c = await Raw.open(t, port);
    c.write(
      'POST /slow HTTP/1.1\r\nContent-Length: 3\r\n\r\nabc' +
        'POST /fast HTTP/1.1\r\nContent-Length: 3\r\n\r\ndef',
    );
    const replies = await c.awaitReplies(2);
    assert.deepEqual(
      replies.map((r) => r.body.toString()),
      ['POST /slow abc', 'POST /fast def'],
    );
    assert.deepEqual(calls, ['start /slow', 'end /slow', 'start /fast', 'end /fast']);
  });

  it('skips one empty line before a request line', async (t) => {
    const { port } = await start(t, echo);
    const c = await Raw.open(t, port);
    c.write('\r\nGET /x HTTP/1.1\r\n\r\n');
    const [r] = await c.awaitReplies(1);
    assert.equal(r!.body.toString(), 'GET /x ');
  });

  it('delivers a chunked request body whole (extensions and trailers dropped), then the next request', async (t) => {
    const seen: GatewayServerRequest[] = [];
    const { port } = await start(t, (req, res) => {
      seen.push(req);
      echo(req, res);
    });
    const c = await Raw.open(t, port);
    c.write('POST /c HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\n5;ext=1\r\nhel');
    await sleep(20);
    c.write('lo\r\n6\r\n world\r\n');
    await sleep(20);
    c.write('0\r\nX-Trailer: t\r\n\r\nGET /after HTTP/1.1\r\n\r\n');
    const replies = await c.awaitReplies(2);
    assert.equal(replies[0]!.body.toString(), 'POST /c hello world');
    assert.equal(replies[1]!.body.toString(), 'GET /after ');
    assert.equal(seen[0]!.headers['transfer-encoding'], 'chunked');
    assert.equal(seen[0]!.headers['x-trailer'], undefined);
    assert.equal(seen[0]!.bodyError, undefined);
    assert.equal(seen[0]!.httpVersion, '1.1');
  });

  it('answers Expect: 100-continue with 100 Continue before the body is sent', async (t) => {
    const { port } = await start(t, echo);
    const c = await Raw.open(t, port);
    c.write('POST /e HTTP/1.1\r\nExpect: 100-continue\r\nContent-Length: 4\r\n\r\n');
    await c.until(() => c.text.startsWith('HTTP/1.1 100 Continue\r\n\r\n'), '100 Continue');
    assert.equal(c.text, 'HTTP/1.1 100 Continue\r\n\r\n', 'nothing but the interim answer yet');
    c.write('body');
    const replies = await c.awaitReplies(2);
    assert.equal(replies[0]!.status, 100);
    assert.equal(replies[1]!.status, 200);
    assert.equal(replies[1]!.body.toString(), 'POST /e body');
  });

  it('answers an HTTP/1.0 request and closes; a 1.0 streamed answer is close-delimited', async (t) => {
    const { port } = await start(t, (req, res) => {
      if (req.url === '/stream') {
        res.writeHead(200, { 'content-type': 'text/plain' });
        res.write('part1 ');
        res.end('part2');
      } else echo(req, res);
    });
    const c = await Raw.open(t, port);
    c.write('GET /plain HTTP/1.0\r\n\r\n');
    await c.closed();
    const [r] = c.replies();
    assert.equal(r!.body.toString(), 'GET /plain ');
    assert.equal(r!.headers.connection, 'close');
    assert.ok(c.text.startsWith('HTTP/1.0 200 OK\r\n'));

    const s = await Raw.open(t, port);
    s.write('GET /stream HTTP/1.0\r\n\r\n');
    await s.closed();
    const [r2] = s.replies();
    assert.equal(r2!.headers['transfer-encoding'], undefined);
    assert.equal(r2!.headers['content-length'], undefined);
    assert.equal(r2!.body.toString(), 'part1 part2');

    // HTTP/1.0 with Connection: keep-alive stays open
    const k = await Raw.open(t, port);
    k.write('GET /a HTTP/1.0\r\nConnection: keep-alive\r\n\r\nGET /b HTTP/1.0\r\n\r\n');
    await k.closed();
    const rs = k.replies();
    assert.deepEqual(
      rs.map((x) => [x.headers.connection, x.body.toString()]),
      [
        ['keep-alive', 'GET /a '],
        ['close', 'GET /b '],
      ],
    );
  });

  it('closes after the answer when the request says Connection: close', async (t) => {
    const { port } = await start(t, echo);
    const c = await Raw.open(t, port);
    c.write('GET /x HTTP/1.1\r\nConnection: close\r\n\r\nGET /never HTTP/1.1\r\n\r\n');
    await c.closed();
    const replies = c.replies();
    assert.equal(replies.length, 1);
    assert.equal(replies[0]!.headers.connection, 'close');
    assert.equal(replies[0]!.body.toString(), 'GET /x ');
  });
});

describe('gateway server: refused requests', () => {
  /** Sends `wire` on a new connection; resolves with the one reply and its parsed JSON body, once closed. */
  async function refusedWith(t: TestContext, port: number, wire: string) {
    const c = await Raw.open(t, port);
    c.write(wire);
    await c.closed();
    const replies = c.replies();
    assert.equal(replies.length, 1, c.text);
    const r = replies[0]!;
    assert.equal(r.headers.connection, 'close');
    assert.equal(r.headers['content-type'], 'application/json');
    const json = JSON.parse(r.body.toString()) as { error: { message: string; type: string } };
    return { status: r.status, message: json.error.message, json };
  }

  it('answers a malformed request line with 400, an OpenAI-style JSON error naming it, and closes', async (t) => {
    let called = 0;
    const { srv, port } = await start(t, (req, res) => {
      called++;
      echo(req, res);
    });
    const r = await refusedWith(t, port, 'HELLO THERE\r\nHost: x\r\n\r\n');
    assert.equal(r.status, 400);
    assert.match(r.message, /malformed request line: "HELLO THERE"/);
    assert.equal(r.json.error.type, 'invalid_request_error');
    assert.ok('param' in r.json.error && 'code' in r.json.error);
    assert.equal(called, 0);
    await eventually(() => srv.connections === 0, 'the connection to be forgotten');
  });

  it('answers other broken heads: 505, 400 for bare LF heads and folding, 501, 417', async (t) => {
    const { port } = await start(t, echo);
    assert.equal((await refusedWith(t, port, 'GET / HTTP/2.0\r\n\r\n')).status, 505);
    const lf = await refusedWith(t, port, 'GET / HTTP/1.1\nHost: x\n\n');
    assert.equal(lf.status, 400);
    assert.match(lf.message, /CRLF/);
    const fold = await refusedWith(t, port, 'GET / HTTP/1.1\r\nX-A: 1\r\n 2\r\n\r\n');
    assert.match(fold.message, /folding/);
    assert.equal(
      (await refusedWith(t, port, 'POST / HTTP/1.1\r\nTransfer-Encoding: gzip\r\n\r\n')).status,
      501,
    );
    assert.equal((await refusedWith(t, port, 'POST / HTTP/1.1\r\nExpect: later\r\n\r\n')).status, 417);
    const smuggle = await refusedWith(
      t,
      port,
      'POST / HTTP/1.1\r\nContent-Length: 3\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n',
    );
    assert.equal(smuggle.status, 400);
  });

  it('answers broken chunk framing with 400 and does not run the handler', async (t) => {
    let called = 0;
    const { port } = await start(t, (req, res) => {
      called++;
      echo(req, res);
    });
    const r = await refusedWith(
      t,
      port,
      'POST / HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\nhello\r\n0\r\n\r\n',
    );
    assert.equal(r.status, 400);
    assert.match(r.message, /bad chunk size/);
    assert.equal(called, 0);
  });

  it('answers a head over maxHeadBytes with 431, whether or not it ended', async (t) => {
    const { port } = await start(t, echo, { maxHeadBytes: 1024 });
    const big = `GET / HTTP/1.1\r\nX-Big: ${'a'.repeat(2000)}\r\n\r\n`;
    const r = await refusedWith(t, port, big);
    assert.equal(r.status, 431);
    assert.match(r.message, /request head over 1024 bytes/);
    const unfinished = await refusedWith(t, port, `GET / HTTP/1.1\r\nX-Big: ${'a'.repeat(2000)}`);
    assert.equal(unfinished.status, 431);
    // just under the limit is fine
    const c = await Raw.open(t, port);
    c.write(`GET / HTTP/1.1\r\nX-Big: ${'a'.repeat(900)}\r\n\r\n`);
    assert.equal((await c.awaitReplies(1))[0]!.status, 200);
  });

  it('hands a body over maxBodyBytes to the handler as bodyError (413 through readBody), then closes', async (t) => {
    const seen: GatewayServerRequest[] = [];
    const { srv, port } = await start(
      t,
      (req, res) => {
        seen.push(req);
        readBody(req, 1000).then(
          (body) => echo({ ...req, body } as GatewayServerRequest, res),
          (err: unknown) => void sendError(res, err),
        );
      },
      { maxBodyBytes: 1000 },
    );
    // declared Content-Length over the limit
    const a = await Raw.open(t, port);
    a.write(`POST /cl HTTP/1.1\r\nContent-Length: 1001\r\n\r\n${'x'.repeat(1001)}`);
    await a.closed();
    const [ra] = a.replies();
    assert.equal(ra!.status, 413);
    assert.equal(ra!.headers.connection, 'close');
    assert.match(JSON.parse(ra!.body.toString()).error.message, /1001 bytes is over the 1000 byte limit/);
    // chunked over the limit
    const b = await Raw.open(t, port);
    const chunk = `258\r\n${'y'.repeat(600)}\r\n`;
    b.write(`POST /chunked HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\n${chunk}${chunk}${chunk}0\r\n\r\n`);
    await b.closed();
    const [rb] = b.replies();
    assert.equal(rb!.status, 413);
    assert.equal(seen.length, 2);
    for (const req of seen) {
      assert.equal(req.bodyError?.code, 'PAYLOAD_TOO_LARGE');
      assert.equal(req.body.length, 0, 'a refused body is handed over empty');
    }
    // exactly at the limit is read, both ways
    const ok = await Raw.open(t, port);
    ok.write(`POST /cl HTTP/1.1\r\nContent-Length: 1000\r\n\r\n${'z'.repeat(1000)}`);
    ok.write(
      `POST /ch HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\n3e8\r\n${'w'.repeat(1000)}\r\n0\r\n\r\n`,
    );
    const rs = await ok.awaitReplies(2);
    assert.deepEqual(
      rs.map((r) => [r.status, r.body.length]),
      [
        [200, 9 + 1000],
        [200, 9 + 1000],
      ],
    );
    assert.equal(seen[2]!.bodyError, undefined);
    await eventually(() => srv.connections === 1, 'the refused connections to be gone');
  });

  it('does not send 100 Continue for a declared body over the limit', async (t) => {
    const { port } = await start(t, (req, res) => void sendError(res, req.bodyError), { maxBodyBytes: 10 });
    const c = await Raw.open(t, port);
    c.write('POST / HTTP/1.1\r\nExpect: 100-continue\r\nContent-Length: 11\r\n\r\n');
    await c.closed();
    const replies = c.replies();
    assert.deepEqual(
      replies.map((r) => r.status),
      [413],
    );
  });

  it('answers 500 when the handler throws before answering, and keeps the connection', async (t) => {
    const { port } = await start(t, (req, res) => {
      if (req.url === '/throw') throw new Error('boom');
      echo(req, res);
    });
    const c = await Raw.open(t, port);
    c.write('GET /throw HTTP/1.1\r\n\r\nGET /ok HTTP/1.1\r\n\r\n');
    const [r1, r2] = await c.awaitReplies(2);
    assert.equal(r1!.status, 500);
    assert.match(JSON.parse(r1!.body.toString()).error.message, /handler failed: boom/);
    assert.equal(r2!.body.toString(), 'GET /ok ');
  });

  it('does not cut an answer the handler ended before it threw', async (t) => {
    const big = Buffer.alloc(8 * 1024 * 1024, 'q');
    const { port } = await start(t, (_req, res) => {
      res.writeHead(200, { 'content-length': big.length });
      res.end(big);
      throw new Error('after the end');
    });
    const c = await Raw.open(t, port);
    c.write('GET / HTTP/1.1\r\n\r\n');
    await c.until(() => c.received >= big.length || c.isClosed, 'the body or a close', 4000);
    const [r] = c.replies();
    assert.equal(r?.body.length, big.length);
  });
});

describe('gateway server: responses', () => {
  it('frames a streamed answer without content-length as chunks, end() with data after write()s', async (t) => {
    const parts = ['héllo ', Buffer.from([0, 1, 2, 255]), '', '€ then ', Buffer.alloc(70_000, 'b')];
    const { port } = await start(t, (_req, res) => {
      res.writeHead(200, { 'content-type': 'application/octet-stream' });
      for (const p of parts) res.write(p);
      res.end('the tail €');
    });
    const expected = Buffer.concat([...parts.map((p) => Buffer.from(p)), Buffer.from('the tail €')]);
    const got = await httpGet(port, '/');
    assert.equal(got.status, 200);
    assert.equal(got.headers['transfer-encoding'], 'chunked');
    assert.ok(got.body.equals(expected), 'node http client read the exact bytes');
    // and on the wire: strictly framed chunks, the connection kept
    const c = await Raw.open(t, port);
    c.write('GET / HTTP/1.1\r\n\r\nGET / HTTP/1.1\r\n\r\n');
    const rs = await c.awaitReplies(2);
    assert.ok(rs[0]!.body.equals(expected));
    assert.ok(rs[1]!.body.equals(expected));
  });

  it('ends a streamed answer with end() alone, and with end(buffer)', async (t) => {
    const { port } = await start(t, (req, res) => {
      res.writeHead(200);
      res.write('a');
      if (req.url === '/buf') res.end(Buffer.from('b'));
      else res.end();
    });
    assert.equal((await httpGet(port, '/')).body.toString(), 'a');
    assert.equal((await httpGet(port, '/buf')).body.toString(), 'ab');
  });

  it('sends content-length for end(data) without write, counting bytes, with an encoding', async (t) => {
    const { port } = await start(t, (req, res) => {
      res.writeHead(200);
      if (req.url === '/hex') res.end('00ff', 'hex');
      else res.end('€uro');
    });
    const a = await httpGet(port, '/');
    assert.equal(a.headers['content-length'], String(Buffer.byteLength('€uro')));
    assert.equal(a.body.toString(), '€uro');
    const b = await httpGet(port, '/hex');
    assert.deepEqual([...b.body], [0, 255]);
  });

  it('sends no body bytes for HEAD, and the connection still reads the next request', async (t) => {
    const { port } = await start(t, (req, res) => {
      if (req.url === '/stream') {
        res.writeHead(200, { 'content-type': 'text/plain' });
        res.write('streamed');
        res.end('!');
      } else {
        res.writeHead(200, { 'content-type': 'text/plain', 'content-length': 5 });
        res.end('hello');
      }
    });
    const c = await Raw.open(t, port);
    c.write('HEAD /fixed HTTP/1.1\r\n\r\nHEAD /stream HTTP/1.1\r\n\r\nGET /fixed HTTP/1.1\r\n\r\n');
    const rs = await c.awaitReplies(3, new Set([0, 1]));
    assert.equal(rs[0]!.headers['content-length'], '5');
    assert.equal(rs[1]!.headers['transfer-encoding'], undefined);
    assert.equal(rs[2]!.body.toString(), 'hello');
    // nothing but the three heads and the one body went over the wire
    const heads = rs.map((r) => r.head.length + 4).reduce((a, b) => a + b, 0);
    assert.equal(c.data.length, heads + 5);
  });

  it('writes header fields given as a flat array and as an object (array values repeat the field)', async (t) => {
    const { port } = await start(t, (req, res) => {
      if (req.url === '/flat')
        res.writeHead(201, ['X-One', '1', 'x-two', 'a', 'x-two', 'b', 'Transfer-Encoding', 'gzip']);
      else res.writeHead(202, { 'x-list': ['p', 'q'], 'x-num': 7, 'Content-Type': 'text/plain' });
      res.end('ok');
    });
    const c = await Raw.open(t, port);
    c.write('GET /flat HTTP/1.1\r\n\r\nGET /obj HTTP/1.1\r\n\r\n');
    const [flat, obj] = await c.awaitReplies(2);
    assert.equal(flat!.status, 201);
    assert.match(flat!.head, /^HTTP\/1\.1 201 Created\r\n/);
    assert.match(flat!.head, /\r\nX-One: 1\r\n/);
    assert.match(flat!.head, /\r\nx-two: a\r\nx-two: b\r\n/);
    assert.equal(flat!.headers['transfer-encoding'], undefined, 'framing is the server’s choice');
    assert.equal(flat!.body.toString(), 'ok');
    assert.equal(obj!.status, 202);
    assert.match(obj!.head, /\r\nx-list: p\r\nx-list: q\r\n/);
    assert.match(obj!.head, /\r\nx-num: 7\r\n/);
    assert.match(obj!.head, /\r\nContent-Type: text\/plain\r\n/);
  });

  it('throws on CR or LF in a header name or value, and the answer can still be sent', async (t) => {
    const errors: string[] = [];
    const { port } = await start(t, (_req, res) => {
      for (const bad of [
        () => res.writeHead(200, { 'x-a': 'a\r\nx-injected: 1' }),
        () => res.writeHead(200, { 'x-a\n': 'a' }),
        () => res.writeHead(200, ['x-b', 'b\n']),
        () => res.writeHead(200, { 'x-c': ['ok', 'b\rc'] }),
      ]) {
        try {
          bad();
          errors.push('no throw');
        } catch (err) {
          errors.push((err as Error).message);
        }
      }
      res.writeHead(200, { 'x-fine': '1' });
      res.end('ok');
    });
    const got = await httpGet(port, '/');
    assert.equal(errors.length, 4);
    for (const e of errors) assert.match(e, /invalid character in header/);
    assert.equal(got.headers['x-injected'], undefined);
    assert.equal(got.headers['x-c'], undefined, 'a refused writeHead sets none of its fields');
    assert.equal(got.headers['x-fine'], '1');
    assert.equal(got.body.toString(), 'ok');
  });

  it('closes when the handler sends connection: close', async (t) => {
    const { port } = await start(t, (_req, res) => {
      res.writeHead(200, { connection: 'close', 'content-length': 2 });
      res.end('ok');
    });
    const c = await Raw.open(t, port);
    c.write('GET / HTTP/1.1\r\n\r\n');
    await c.closed();
    assert.equal(c.replies()[0]!.headers.connection, 'close');
  });

  it('makes res.destroyed true and emits close once when the client goes away mid-request', async (t) => {
    let res: GatewayServerResponse | undefined;
    let closes = 0;
    const { srv, port } = await start(t, (_req, r) => {
      res = r;
      r.on('close', () => closes++);
    });
    const c = await Raw.open(t, port);
    c.write('GET /wait HTTP/1.1\r\n\r\n');
    await eventually(() => res !== undefined, 'the handler to run');
    assert.equal(res!.destroyed, false);
    assert.ok(res!.socket);
    c.sock.destroy();
    await eventually(() => closes === 1, 'close on the response');
    assert.equal(res!.destroyed, true);
    assert.equal(res!.socket, null);
    // a late answer is dropped quietly, and close is not emitted again
    assert.equal(res!.write('late'), true);
    res!.end('late');
    await sleep(20);
    assert.equal(closes, 1);
    assert.equal(srv.connections, 0);
  });

  it('write returns false to a client that does not read, and drain follows once it reads', async (t) => {
    const block = Buffer.alloc(64 * 1024, 'd');
    let falses = 0;
    let drains = 0;
    let lastFalseAt = 0;
    let written = 0;
    let finish = false;
    const { port } = await start(t, (_req, res) => {
      res.writeHead(200, { 'content-type': 'application/octet-stream' });
      // writes until told to wait, and again on every drain, until the test says finish
      const pump = (): void => {
        for (;;) {
          if (finish) return void res.end();
          written += block.length;
          if (!res.write(block)) {
            falses++;
            lastFalseAt = Date.now();
            return;
          }
        }
      };
      res.on('drain', () => {
        drains++;
        pump();
      });
      pump();
    });
    const c = await Raw.open(t, port);
    c.sock.pause();
    c.write('GET / HTTP/1.1\r\n\r\n');
    // the kernel buffers fill up: write said false and no drain came for a while
    await eventually(() => falses > 0 && Date.now() - lastFalseAt > 150, 'writes to stall', 5000);
    const stalledAt = drains;
    await sleep(50);
    assert.equal(drains, stalledAt, 'no drain while the client does not read');
    assert.ok(c.received < written, 'the client has not read it all');
    finish = true;
    c.sock.resume();
    await c.until(() => c.endsWith('\r\n0\r\n\r\n'), 'the whole answer', 5000);
    assert.ok(drains > stalledAt, 'drain came once the client read');
    const [r] = c.replies();
    assert.equal(r!.body.length, written);
  });

  it('keeps an answer the client half-closed after asking for (keep-alive request, large body)', async (t) => {
    const big = Buffer.alloc(8 * 1024 * 1024, 'h');
    const { port } = await start(t, (_req, res) => {
      res.writeHead(200, { 'content-length': big.length });
      res.end(big);
    });
    const c = await Raw.open(t, port, { allowHalfOpen: true });
    c.sock.write('GET / HTTP/1.1\r\n\r\n');
    c.sock.end();
    await c.closed(4000);
    const [r] = c.replies();
    assert.equal(r?.body.length, big.length);
  });
});

describe('gateway server: timeouts', { concurrency: true }, () => {
  it('closes a kept-alive connection idle past keepAliveMs', async (t) => {
    const { srv, port } = await start(t, echo, { keepAliveMs: 300 });
    const c = await Raw.open(t, port);
    c.write('GET / HTTP/1.1\r\n\r\n');
    await c.awaitReplies(1);
    const idleFrom = Date.now();
    await sleep(150);
    assert.equal(c.isClosed, false, 'not closed before keepAliveMs');
    await c.closed(2500);
    assert.ok(Date.now() - idleFrom >= 300);
    assert.equal(c.replies().length, 1, 'closed without a reply');
    assert.equal(srv.connections, 0);
  });

  it('answers 408 to a head sent slower than requestMs', async (t) => {
    let called = 0;
    const { port } = await start(
      t,
      (req, res) => {
        called++;
        echo(req, res);
      },
      { requestMs: 300, keepAliveMs: 10_000 },
    );
    const c = await Raw.open(t, port);
    c.write('GET / HTTP/1.1\r\n');
    const drip = setInterval(() => c.write('X-Drip: 1\r\n'), 100);
    cleanup(t, () => clearInterval(drip));
    await c.closed(2500);
    clearInterval(drip);
    const [r] = c.replies();
    assert.equal(r!.status, 408);
    assert.match(JSON.parse(r!.body.toString()).error.message, /did not arrive in time/);
    assert.equal(called, 0);
  });

  it('answers 408 to a body that pauses longer than requestMs', async (t) => {
    const { port } = await start(t, echo, { requestMs: 300, keepAliveMs: 10_000 });
    const c = await Raw.open(t, port);
    c.write('POST / HTTP/1.1\r\nContent-Length: 10\r\n\r\nabc');
    await c.closed(2500);
    assert.equal(c.replies()[0]!.status, 408);
  });

  it('close(false) lets an in-flight answer finish (with connection: close), then resolves', async (t) => {
    const waiting = new Map<string, GatewayServerResponse>();
    const { srv, port } = await start(t, (req, res) => void waiting.set(req.url, res), { requestMs: 300 });
    const busy = await Raw.open(t, port);
    busy.write('GET /busy HTTP/1.1\r\n\r\n');
    const idle = await Raw.open(t, port);
    idle.write('GET /idle HTTP/1.1\r\n\r\n');
    await eventually(() => waiting.size === 2, 'both handlers to run');
    const first = waiting.get('/busy')!;
    first.writeHead(200, { 'content-length': 4 });
    // once answered, the other connection is idle
    waiting.get('/idle')!.end('idle');
    await idle.awaitReplies(1);
    // a third connection that sent half a head
    const partial = await Raw.open(t, port);
    partial.write('GET /partial HTTP/1.1\r\n');
    await sleep(20);
    let resolved = false;
    const closing = srv.close(false).then(() => (resolved = true));
    await idle.closed();
    await sleep(50);
    assert.equal(resolved, false, 'close waits for the in-flight answer');
    assert.equal(busy.isClosed, false);
    first.end('done');
    const [r] = await busy.awaitReplies(1);
    assert.equal(r!.body.toString(), 'done');
    assert.equal(r!.headers.connection, 'close', 'the last answer says the connection closes');
    await busy.closed();
    // the half-sent head is given requestMs, then refused; only then has the server closed
    await partial.closed(2500);
    assert.equal(partial.replies()[0]?.status, 408);
    await closing;
    assert.equal(resolved, true);
    await assert.rejects(Raw.open(t, port), 'no new connections');
  });

  it('close() resolves on a server that never listened', async () => {
    await createGatewayServer(echo).close();
  });

  it('close(true) cuts an in-flight answer', async (t) => {
    let res: GatewayServerResponse | undefined;
    let closes = 0;
    const { srv, port } = await start(t, (_req, r) => {
      res = r;
      r.on('close', () => closes++);
    });
    const c = await Raw.open(t, port);
    c.write('GET / HTTP/1.1\r\n\r\n');
    await eventually(() => res !== undefined, 'the handler to run');
    await srv.close(true);
    await c.closed();
    assert.equal(c.data.length, 0, 'no answer');
    assert.equal(res!.destroyed, true);
    assert.equal(closes, 1);
    assert.equal(srv.connections, 0);
  });
});

describe('gateway handler on node:http', () => {
  it('serves a chat completion through createGateway(...).handler mounted on http.createServer', async (t) => {
    const h = await startHarness();
    cleanup(t, () => h.close());
    const server = http.createServer((req, res) => h.gateway.handler(req, res));
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    cleanup(
      t,
      () =>
        new Promise<void>((resolve) => {
          server.closeAllConnections();
          server.close(() => resolve());
        }),
    );
    const port = (server.address() as net.AddressInfo).port;
    const r = await fetch(`http://127.0.0.1:${port}/v1/chat/completions`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${TEST_KEY}` },
      body: JSON.stringify({ model: 'm', messages: [{ role: 'user', content: 'what is 2+2?' }] }),
    });
    assert.equal(r.status, 200);
    const json = (await r.json()) as { object: string; choices: { message: { content: string } }[] };
    assert.equal(json.object, 'chat.completion');
    assert.ok(json.choices[0]!.message.content.length > 0);
    // and an error path through the same mount
    const bad = await fetch(`http://127.0.0.1:${port}/nope`);
    assert.equal(bad.status, 404);
    assert.equal(((await bad.json()) as { error: { code: string } }).error.code, 'unknown_url');
    await eventually(() => h.records.length === 1, 'the request to be recorded');
    assert.equal(h.records[0]!.status, 200);
  });
});
