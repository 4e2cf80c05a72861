import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import {
  ChunkedDecoder,
  isHeadError,
  parseRequestHead,
  type HeadError,
  type RequestHead,
} from './head-parser.ts';

/** Parses a head given as lines (joined with CRLF); fails the test when it is refused. */
function ok(...lines: string[]): RequestHead {
  const h = parseRequestHead(lines.join('\r\n'));
  if (isHeadError(h)) assert.fail(`refused: ${h.status} ${h.message}`);
  return h;
}

/** Parses a head given as lines; fails the test when it is accepted. */
function refused(...lines: string[]): HeadError {
  const h = parseRequestHead(lines.join('\r\n'));
  if (!isHeadError(h)) assert.fail(`accepted: ${JSON.stringify(h)}`);
  return h;
}

describe('parseRequestHead: request line', () => {
  it('reads method, target and version', () => {
    const h = ok('POST /v1/chat/completions?x=1 HTTP/1.1', 'Host: a');
    assert.equal(h.method, 'POST');
    assert.equal(h.url, '/v1/chat/completions?x=1');
    assert.equal(h.minor, 1);
    assert.equal(h.bodyLength, 0);
    assert.equal(h.keepAlive, true);
    assert.equal(h.expectContinue, false);
    assert.deepEqual(h.headers, { host: 'a' });
  });

  it('reads an HTTP/1.0 request line', () => {
    const h = ok('GET / HTTP/1.0');
    assert.equal(h.minor, 0);
    assert.equal(h.keepAlive, false);
    assert.deepEqual(h.headers, {});
  });

  it('refuses a method that is not a token with 400, even with a good version', () => {
    for (const line of ['GE(T / HTTP/1.1', 'G,ET / HTTP/1.1', '/ HTTP/1.1', 'GET\t/ HTTP/1.1']) {
      const e = refused(line);
      assert.equal(e.status, 400, line);
      assert.match(e.message, /malformed request line/, line);
    }
  });

  it('refuses a request line without a version, or with extra spaces, with 400', () => {
    for (const line of ['GET /', 'GET / ', 'GET  / HTTP/1.1', 'GET / HTTP/1.1 ', 'GET / http/1.1', '']) {
      const e = refused(line);
      assert.equal(e.status, 400, JSON.stringify(line));
    }
  });

  it('answers 505 to HTTP versions other than 1.0 and 1.1', () => {
    for (const line of ['GET / HTTP/2.0', 'GET / HTTP/1.2', 'GET / HTTP/0.9', 'PRI * HTTP/2.0']) {
      const e = refused(line);
      assert.equal(e.status, 505, line);
      assert.match(e.message, /HTTP version not supported/);
    }
  });

  it('reads usual and unusual request lines alike', () => {
    const cases: [string, string, string, 0 | 1][] = [
      ['OPTIONS * HTTP/1.1', 'OPTIONS', '*', 1],
      ['M-SEARCH * HTTP/1.0', 'M-SEARCH', '*', 0],
      ['get /x HTTP/1.1', 'get', '/x', 1],
      // a latin1 target is past the char-by-char path but still a valid \S+ target
      ['GET /caf\u00e9?q=\u00ff HTTP/1.1', 'GET', '/caf\u00e9?q=\u00ff', 1],
      ['GET http://a.example/b HTTP/1.0', 'GET', 'http://a.example/b', 0],
    ];
    for (const [line, method, url, minor] of cases) {
      const h = ok(line);
      assert.deepEqual([h.method, h.url, h.minor], [method, url, minor], line);
    }
  });

  it('refuses whitespace other than one space between the parts of the request line', () => {
    for (const line of [
      'GET /a\u00a0 HTTP/1.1',
      'GET /a\u000bb HTTP/1.1',
      'GET / \tHTTP/1.1',
      'GET / HTTP/1.1\r',
    ]) {
      const e = refused(line);
      assert.equal(e.status, 400, JSON.stringify(line));
      assert.match(e.message, /malformed request line/);
    }
  });

  it('splits lines at CRLF only: a bare LF stays in its line', () => {
    assert.equal(refused('GET / HTTP/1.1\nHost: a').status, 400);
    assert.match(refused('GET / HTTP/1.1', 'X-A: a\nHost: b').message, /invalid character in header x-a/);
  });

  it('names the fault and quotes the line in the message', () => {
    const e = refused('BAD LINE');
    assert.match(e.message, /malformed request line: "BAD LINE"/);
  });
});

describe('parseRequestHead: header fields', () => {
  it('lower-cases names and trims spaces and tabs around values', () => {
    const h = ok('GET / HTTP/1.1', 'X-Custom-Name:  value here \t', 'CONTENT-TYPE:application/json');
    assert.deepEqual(h.headers, { 'x-custom-name': 'value here', 'content-type': 'application/json' });
  });

  it('lower-cases a name the same way each time it is seen, in any case', () => {
    for (const raw of ['X-Mixed-Case', 'x-MIXED-case', 'X-Mixed-Case', 'X-MIXED-CASE']) {
      assert.deepEqual(ok('GET / HTTP/1.1', `${raw}: v`).headers, { 'x-mixed-case': 'v' }, raw);
    }
  });

  it('refuses an invalid name after a valid one like it was read', () => {
    assert.deepEqual(ok('GET / HTTP/1.1', 'Valid-Name: 1').headers, { 'valid-name': '1' });
    for (const field of ['Valid-Name : 1', ' Valid-Name: 1', 'Valid-Name\u0000: 1', 'Valid-N\u00e4me: 1']) {
      const e = refused('GET / HTTP/1.1', field);
      assert.equal(e.status, 400, JSON.stringify(field));
    }
    assert.match(refused('GET / HTTP/1.1', 'Valid-Name : 1').message, /invalid header name "valid-name "/);
  });

  it('reads any number of distinct names (past what is remembered)', () => {
    const fields = Array.from({ length: 300 }, (_, i) => `X-Name-${i}: ${i}`);
    const h = ok('GET / HTTP/1.1', ...fields);
    assert.equal(Object.keys(h.headers).length, 300);
    assert.equal(h.headers['x-name-299'], '299');
    assert.match(refused('GET / HTTP/1.1', 'X-Name (300): 1').message, /invalid header name/);
  });

  it('refuses an empty line in the head (a head ending in CRLF)', () => {
    const e = refused('GET / HTTP/1.1', 'Host: a', '');
    assert.equal(e.status, 400);
    assert.equal(e.message, 'malformed header line 2: ""');
  });

  it('keeps an empty value', () => {
    assert.deepEqual(ok('GET / HTTP/1.1', 'X-Empty:').headers, { 'x-empty': '' });
  });

  it('refuses an invalid header name', () => {
    for (const field of ['Bad Name: x', 'Host : x', 'Ba(d: x', ': x', 'nocolon', '\u00e9t\u00e9: x']) {
      const e = refused('GET / HTTP/1.1', field);
      assert.equal(e.status, 400, field);
    }
    assert.match(refused('GET / HTTP/1.1', 'Bad Name: x').message, /invalid header name "bad name"/);
  });

  it('refuses control characters in a value (NUL, DEL, bare CR, bare LF)', () => {
    for (const value of ['a\u0000b', 'a\u007fb', 'a\rb', 'a\nb', 'a\u0001b']) {
      const e = refused('GET / HTTP/1.1', `X-A: ${value}`);
      assert.equal(e.status, 400, JSON.stringify(value));
      assert.match(e.message, /invalid character in header x-a/);
    }
    // a tab inside a value is allowed
    assert.equal(ok('GET / HTTP/1.1', 'X-A: a\tb').headers['x-a'], 'a\tb');
  });

  it('refuses a bare CR or LF at the end of a value (not trimmed away)', () => {
    for (const value of ['5\r', '5\n', '\r5']) {
      const e = refused('POST / HTTP/1.1', `Content-Length: ${value}`);
      assert.equal(e.status, 400, JSON.stringify(value));
    }
    assert.equal(refused('GET / HTTP/1.1', 'Host: a\r').status, 400);
  });

  it('refuses obsolete line folding', () => {
    for (const fold of [' continued', '\tcontinued']) {
      const e = refused('GET / HTTP/1.1', 'X-A: first', fold);
      assert.equal(e.status, 400);
      assert.match(e.message, /obsolete line folding/);
    }
  });

  it('joins repeated fields with ", ", cookies with "; "', () => {
    const h = ok(
      'GET / HTTP/1.1',
      'Accept: a',
      'Cookie: x=1',
      'accept: b',
      'COOKIE: y=2',
      'X-List: 1',
      'X-List: 2',
      'X-List: 3',
    );
    assert.equal(h.headers.accept, 'a, b');
    assert.equal(h.headers.cookie, 'x=1; y=2');
    assert.equal(h.headers['x-list'], '1, 2, 3');
  });

  it('keeps the first of a repeated authorization, host, content-type, user-agent', () => {
    const h = ok(
      'GET / HTTP/1.1',
      'Authorization: Bearer first',
      'Host: one',
      'Content-Type: application/json',
      'User-Agent: ua1',
      'authorization: Bearer second',
      'host: two',
      'content-type: text/plain',
      'user-agent: ua2',
    );
    assert.equal(h.headers.authorization, 'Bearer first');
    assert.equal(h.headers.host, 'one');
    assert.equal(h.headers['content-type'], 'application/json');
    assert.equal(h.headers['user-agent'], 'ua1');
  });
});

describe('parseRequestHead: body framing', () => {
  it('reads Content-Length', () => {
    assert.equal(ok('POST / HTTP/1.1', 'Content-Length: 42').bodyLength, 42);
    assert.equal(ok('POST / HTTP/1.1', 'Content-Length: 0').bodyLength, 0);
  });

  it('refuses a Content-Length that is not digits', () => {
    for (const v of ['', '-1', '+5', '1.5', '0x10', '5 5', '5,5', 'abc', '1234567890123456']) {
      const e = refused('POST / HTTP/1.1', `Content-Length: ${v}`);
      assert.equal(e.status, 400, v);
      assert.match(e.message, /Content-Length/, v);
    }
  });

  it('refuses conflicting Content-Length fields, accepts identical ones as one', () => {
    const e = refused('POST / HTTP/1.1', 'Content-Length: 5', 'Content-Length: 6');
    assert.equal(e.status, 400);
    assert.match(e.message, /conflicting Content-Length/);
    const h = ok('POST / HTTP/1.1', 'Content-Length: 5', 'content-length: 5');
    assert.equal(h.bodyLength, 5);
    // as node:http does: the repeat is dropped, the handler sees one value
    assert.equal(h.headers['content-length'], '5');
  });

  it('refuses Content-Length together with Transfer-Encoding, in either order', () => {
    for (const fields of [
      ['Content-Length: 5', 'Transfer-Encoding: chunked'],
      ['Transfer-Encoding: chunked', 'Content-Length: 5'],
    ]) {
      const e = refused('POST / HTTP/1.1', ...fields);
      assert.equal(e.status, 400);
      assert.match(e.message, /both Content-Length and Transfer-Encoding/);
    }
  });

  it('reads Transfer-Encoding: chunked (any case) as a chunked body', () => {
    assert.equal(ok('POST / HTTP/1.1', 'Transfer-Encoding: chunked').bodyLength, -1);
    assert.equal(ok('POST / HTTP/1.1', 'transfer-encoding: Chunked').bodyLength, -1);
  });

  it('answers 501 to transfer codings other than chunked', () => {
    for (const te of ['gzip', 'gzip, chunked', 'chunked, gzip', 'identity', '']) {
      const e = refused('POST / HTTP/1.1', `Transfer-Encoding: ${te}`);
      assert.equal(e.status, 501, te);
      assert.match(e.message, /transfer coding not supported/);
    }
    // two chunked fields make "chunked, chunked": chunked applied twice is not supported either
    assert.equal(
      refused('POST / HTTP/1.1', 'Transfer-Encoding: chunked', 'Transfer-Encoding: chunked').status,
      501,
    );
  });

  it('refuses Transfer-Encoding in HTTP/1.0', () => {
    const e = refused('POST / HTTP/1.0', 'Transfer-Encoding: chunked');
    assert.equal(e.status, 400);
    assert.match(e.message, /HTTP\/1\.0/);
  });
});

describe('parseRequestHead: connection and expect', () => {
  it('keeps HTTP/1.1 alive unless Connection lists close', () => {
    assert.equal(ok('GET / HTTP/1.1').keepAlive, true);
    assert.equal(ok('GET / HTTP/1.1', 'Connection: keep-alive').keepAlive, true);
    assert.equal(ok('GET / HTTP/1.1', 'Connection: close').keepAlive, false);
    assert.equal(ok('GET / HTTP/1.1', 'Connection: Upgrade, CLOSE').keepAlive, false);
    assert.equal(ok('GET / HTTP/1.1', 'Connection: te', 'Connection: close').keepAlive, false);
    assert.equal(ok('GET / HTTP/1.1', 'Connection: closed').keepAlive, true);
  });

  it('keeps HTTP/1.0 alive only when Connection lists keep-alive', () => {
    assert.equal(ok('GET / HTTP/1.0').keepAlive, false);
    assert.equal(ok('GET / HTTP/1.0', 'Connection: Keep-Alive').keepAlive, true);
    assert.equal(ok('GET / HTTP/1.0', 'Connection: foo,  keep-alive ').keepAlive, true);
    assert.equal(ok('GET / HTTP/1.0', 'Connection: close').keepAlive, false);
  });

  it('reads Expect: 100-continue (any case) on HTTP/1.1 only', () => {
    assert.equal(ok('POST / HTTP/1.1', 'Expect: 100-continue', 'Content-Length: 3').expectContinue, true);
    assert.equal(ok('POST / HTTP/1.1', 'Expect: 100-Continue', 'Content-Length: 3').expectContinue, true);
    assert.equal(ok('POST / HTTP/1.0', 'Expect: 100-continue', 'Content-Length: 3').expectContinue, false);
  });

  it('answers 417 to any other expectation', () => {
    for (const v of ['200-ok', '100-continue, foo', 'x']) {
      const e = refused('POST / HTTP/1.1', `Expect: ${v}`);
      assert.equal(e.status, 417, v);
      assert.match(e.message, /expectation not supported/);
    }
  });
});

/** Feeds `wire` to a new decoder in the given pieces; returns the body, the step results and the bytes used. */
function decode(pieces: Buffer[]): { body: Buffer; done: boolean; used: number; error?: HeadError } {
  const out: Buffer[] = [];
  const d = new ChunkedDecoder((data) => out.push(Buffer.from(data)));
  let used = 0;
  for (const p of pieces) {
    const step = d.push(p);
    used += step.used;
    if (step.error) return { body: Buffer.concat(out), done: false, used, error: step.error };
    if (step.done) return { body: Buffer.concat(out), done: true, used };
    assert.equal(step.used, p.length, 'a step that is not done uses all its input');
  }
  return { body: Buffer.concat(out), done: false, used };
}

describe('ChunkedDecoder', () => {
  const wire = Buffer.from(
    '5\r\nhello\r\n' +
      '1;name=value;other\r\n \r\n' +
      'A\r\n0123456789\r\n' +
      '00006 ; ext="q;s"\r\nworld!\r\n' +
      '0\r\n' +
      'X-Trailer: 1\r\n' +
      'X-Other: two\r\n' +
      '\r\n',
  );
  const body = 'hello 0123456789world!';

  it('decodes a body fed in one piece, ignoring extensions and reading trailers', () => {
    const r = decode([wire]);
    assert.equal(r.error, undefined);
    assert.equal(r.done, true);
    assert.equal(r.used, wire.length);
    assert.equal(r.body.toString(), body);
  });

  it('gives the same body when the data is cut at every byte boundary', () => {
    for (let cut = 1; cut < wire.length; cut++) {
      const r = decode([wire.subarray(0, cut), wire.subarray(cut)]);
      assert.equal(r.done, true, `cut at ${cut}`);
      assert.equal(r.used, wire.length, `cut at ${cut}`);
      assert.equal(r.body.toString(), body, `cut at ${cut}`);
    }
  });

  it('gives the same body fed one byte at a time', () => {
    const pieces = [...wire].map((b) => Buffer.from([b]));
    const r = decode(pieces);
    assert.equal(r.done, true);
    assert.equal(r.body.toString(), body);
  });

  it('decodes an empty body (just the last chunk)', () => {
    const r = decode([Buffer.from('0\r\n\r\n')]);
    assert.deepEqual([r.done, r.used, r.body.length], [true, 5, 0]);
  });

  it('does not consume the bytes after the final CRLF', () => {
    const next = 'GET /next HTTP/1.1\r\n\r\n';
    const input = Buffer.from(`3\r\nabc\r\n0\r\n\r\n${next}`);
    const d = new ChunkedDecoder(() => {});
    const step = d.push(input);
    assert.equal(step.done, true);
    assert.equal(input.subarray(step.used).toString(), next);
    // also when the last chunk's trailers end exactly at a piece's start
    const d2 = new ChunkedDecoder(() => {});
    assert.equal(d2.push(Buffer.from('0\r\nA: b\r\n')).done, false);
    const s2 = d2.push(Buffer.from(`\r\n${next}`));
    assert.deepEqual([s2.done, s2.used], [true, 2]);
  });

  it('refuses a bad chunk size', () => {
    for (const size of ['x', '', '-1', '0x5', '1234567890abc', '5 5', '+5']) {
      const r = decode([Buffer.from(`${size}\r\nhello\r\n0\r\n\r\n`)]);
      assert.equal(r.error?.status, 400, JSON.stringify(size));
      assert.match(r.error!.message, /bad chunk size/);
    }
  });

  it('refuses data longer than its size', () => {
    const r = decode([Buffer.from('3\r\nhello\r\n0\r\n\r\n')]);
    assert.equal(r.error?.status, 400);
    assert.match(r.error!.message, /data longer than its size/);
    assert.equal(r.body.toString(), 'hel');
  });

  it('refuses a bare LF in a size line, after data, and in trailers', () => {
    for (const w of ['5\nhello\r\n0\r\n\r\n', '5\r\nhello\n0\r\n\r\n', '0\r\nA: b\n\r\n', '0\r\n\n']) {
      const r = decode([Buffer.from(w)]);
      assert.equal(r.error?.status, 400, JSON.stringify(w));
      assert.match(r.error!.message, /bare LF/);
    }
  });

  it('refuses a bare CR before the CRLF of a size line', () => {
    const r = decode([Buffer.from('5\r\r\nhello\r\n0\r\n\r\n')]);
    assert.equal(r.error?.status, 400);
  });

  it('refuses a size line that never ends', () => {
    const r = decode([Buffer.from('5;' + 'x'.repeat(5000))]);
    assert.equal(r.error?.status, 400);
    assert.match(r.error!.message, /line too long/);
  });

  it('refuses trailers that are too large', () => {
    const r = decode([Buffer.from('0\r\n' + `X-T: ${'y'.repeat(1000)}\r\n`.repeat(20) + '\r\n')]);
    assert.equal(r.error?.status, 431);
  });

  it('is not done until the final CRLF of the trailers arrives', () => {
    const r = decode([Buffer.from('2\r\nhi\r\n0\r\n')]);
    assert.deepEqual([r.done, r.error, r.body.toString()], [false, undefined, 'hi']);
  });
});
