import { strict as assert } from 'node:assert';
import { describe, it } from 'node:test';
import { ResponseParser } from './response-parser.ts';

interface Parsed {
  heads: { status: number; headers: string[]; keepAlive: boolean }[];
  body: string;
  bodyCalls: number;
  ends: number;
  error?: string;
}

/** Feeds `parts` (each a separate read) for one request with `method`; then `eof` if asked. */
function parse(parts: (string | Buffer)[], method = 'POST', eof = false): Parsed {
  const out: Parsed = { heads: [], body: '', bodyCalls: 0, ends: 0 };
  const p = new ResponseParser({
    onHead: (status, headers, keepAlive) => void out.heads.push({ status, headers, keepAlive }),
    onBody: (chunk) => {
      out.body += chunk.toString('latin1');
      out.bodyCalls++;
    },
    onEnd: () => void out.ends++,
  });
  p.expect(method);
  for (const part of parts) {
    const err = p.execute(Buffer.isBuffer(part) ? part : Buffer.from(part, 'latin1'));
    if (err) {
      out.error = `${err.code}: ${err.message}`;
      return out;
    }
  }
  if (eof) {
    const err = p.finish();
    if (err) out.error = `${err.code}: ${err.message}`;
  }
  return out;
}

/** Every way of cutting `text` in two, and byte by byte. */
function everySplit(text: string): string[][] {
  const splits = [[text], [...text]];
  for (let i = 1; i < text.length; i++) splits.push([text.slice(0, i), text.slice(i)]);
  return splits;
}

const CHUNKED =
  'HTTP/1.1 100 Continue\r\n\r\n' +
  'HTTP/1.1 200 OK\r\nContent-Type: text/event-stream\r\nTransfer-Encoding: chunked\r\n\r\n' +
  '7\r\ndata: a\r\n' +
  'A;ext=1\r\n\n\ndata: b\n\r\n' +
  '0\r\nx-trailer: yes\r\n\r\n';

describe('ResponseParser', () => {
  it('reads a chunked answer after a 100 Continue, cut at every byte', () => {
    for (const parts of everySplit(CHUNKED)) {
      const r = parse(parts);
      assert.equal(r.error, undefined, JSON.stringify(parts));
      assert.deepEqual(r.heads, [
        {
          status: 200,
          headers: ['Content-Type', 'text/event-stream', 'Transfer-Encoding', 'chunked'],
          keepAlive: true,
        },
      ]);
      assert.equal(r.body, 'data: a\n\ndata: b\n');
      assert.equal(r.ends, 1);
    }
  });

  it('reads chunk sizes in either case, with or without extensions or trailing blanks, up to 12 digits', () => {
    const body = 'x'.repeat(26);
    const head = 'HTTP/1.1 200 OK\r\ntransfer-encoding: chunked\r\n\r\n';
    for (const size of ['1a', '1A', '01A', '1a;name=v', '1a \t', '00000000001a']) {
      for (const parts of [
        [`${head}${size}\r\n${body}\r\n0\r\n\r\n`],
        [head, `${size}\r`, `\n${body}\r\n0\r\n\r\n`],
      ]) {
        const r = parse(parts);
        assert.equal(r.error, undefined, size);
        assert.equal(r.body, body, size);
        assert.equal(r.ends, 1, size);
      }
    }
    assert.match(
      parse([`${head}000000000001a\r\n${body}\r\n0\r\n\r\n`]).error!,
      /chunk size "000000000001a"/,
    );
    assert.match(parse([`${head}1g\r\n`]).error!, /chunk size "1g"/);
  });

  it('hands on everything one read holds as one buffer', () => {
    const r = parse([CHUNKED]);
    assert.equal(r.bodyCalls, 1);
  });

  it('reads content-length answers, cut at every byte, and an empty one', () => {
    const text = 'HTTP/1.1 201 Created\r\ncontent-length: 5\r\ncontent-length: 5\r\n\r\nhello';
    for (const parts of everySplit(text)) {
      const r = parse(parts);
      assert.equal(r.error, undefined);
      assert.equal(r.body, 'hello');
      assert.equal(r.ends, 1);
      assert.equal(r.heads[0]!.status, 201);
    }
    const empty = parse(['HTTP/1.1 200 OK\r\nContent-Length: 0\r\n\r\n']);
    assert.deepEqual([empty.body, empty.ends], ['', 1]);
  });

  it('gives no body to 204, 304 and HEAD answers', () => {
    assert.equal(parse(['HTTP/1.1 204 No Content\r\n\r\n']).ends, 1);
    assert.equal(parse(['HTTP/1.1 304 Not Modified\r\ncontent-length: 9\r\n\r\n']).ends, 1);
    const head = parse(['HTTP/1.1 200 OK\r\ncontent-length: 9\r\n\r\n'], 'HEAD');
    assert.deepEqual([head.body, head.ends], ['', 1]);
  });

  it('reads a body without length until the connection closes, never reusing it', () => {
    const r = parse(['HTTP/1.1 200 OK\r\n\r\nfirst ', 'second'], 'POST', true);
    assert.equal(r.error, undefined);
    assert.deepEqual([r.body, r.ends, r.heads[0]!.keepAlive], ['first second', 1, false]);
    const te = parse(['HTTP/1.1 200 OK\r\ntransfer-encoding: gzip\r\n\r\nzz'], 'POST', true);
    assert.deepEqual([te.body, te.heads[0]!.keepAlive], ['zz', false]);
  });

  it('works out keep-alive from the version and Connection', () => {
    const ka = (head: string) => parse([`${head}content-length: 0\r\n\r\n`]).heads[0]!.keepAlive;
    assert.equal(ka('HTTP/1.1 200 OK\r\n'), true);
    assert.equal(ka('HTTP/1.1 200 OK\r\nConnection: Close\r\n'), false);
    assert.equal(ka('HTTP/1.1 200 OK\r\nConnection: upgrade, close\r\n'), false);
    assert.equal(ka('HTTP/1.0 200 OK\r\n'), false);
    assert.equal(ka('HTTP/1.0 200 OK\r\nConnection: keep-alive\r\n'), true);
    const both = parse([
      'HTTP/1.1 200 OK\r\ncontent-length: 3\r\ntransfer-encoding: chunked\r\n\r\n1\r\nx\r\n0\r\n\r\n',
    ]);
    assert.deepEqual(
      [both.body, both.heads[0]!.keepAlive],
      ['x', false],
      'chunked wins, and the connection is not reused',
    );
  });

  it('reads status lines with and without a reason phrase, in HTTP/1.0 and 1.1', () => {
    const cases: [string, number, boolean][] = [
      ['HTTP/1.1 200', 200, true],
      ['HTTP/1.1 200 ', 200, true],
      ['HTTP/1.0 200', 200, false],
      ['HTTP/1.0 404 Not Found', 404, false],
      ['HTTP/1.1 599 Tr\u00e8s\tbien, 2 words', 599, true],
    ];
    for (const [line, status, keepAlive] of cases) {
      const r = parse([`${line}\r\ncontent-length: 0\r\n\r\n`]);
      assert.equal(r.error, undefined, line);
      assert.deepEqual([r.heads[0]!.status, r.heads[0]!.keepAlive, r.ends], [status, keepAlive, 1], line);
    }
  });

  it('refuses status lines of any other shape', () => {
    for (const line of [
      'HTTP/1.1 099 x',
      'HTTP/1.1 20 OK',
      'HTTP/1.1 2000 OK',
      'HTTP/1.1 2x0 OK',
      'HTTP/1.2 200 OK',
      'HTTP/2 200',
      'HTTP/1.1  200 OK',
      'HTTP/1.1 200\tOK',
      'HTTP/1.1 200 O\rK',
      'http/1.1 200 OK',
      'HTTP/1.1',
      '',
    ]) {
      const r = parse([`${line}\r\ncontent-length: 0\r\n\r\n`]);
      assert.equal(
        r.error,
        `UPSTREAM_PROTOCOL: upstream sent an invalid HTTP answer: status line ${JSON.stringify(line)}`,
      );
    }
  });

  it('reads framing fields in any case, the same each time, keeping names as sent', () => {
    for (const name of ['CONTENT-LENGTH', 'Content-Length', 'conTent-lenGth', 'Content-Length']) {
      const r = parse([`HTTP/1.1 200 OK\r\n${name}: 3\r\nCONNECTION: Close\r\n\r\nabc`]);
      assert.deepEqual(r.heads[0]!.headers, [name, '3', 'CONNECTION', 'Close'], name);
      assert.deepEqual([r.body, r.ends, r.heads[0]!.keepAlive], ['abc', 1, false], name);
    }
    const te = parse(['HTTP/1.1 200 OK\r\nTRANSFER-encoding: Chunked\r\n\r\n1\r\nx\r\n0\r\n\r\n']);
    assert.deepEqual([te.body, te.ends], ['x', 1]);
    assert.match(parse(['HTTP/1.1 200 OK\r\nconTent-lenGth: x\r\n\r\n']).error!, /content-length "x"/);
    const ka = (head: string) => parse([`${head}content-length: 0\r\n\r\n`]).heads[0]!.keepAlive;
    assert.equal(ka('HTTP/1.0 200 OK\r\nConnection: Keep-Alive\r\n'), true);
    assert.equal(ka('HTTP/1.1 200 OK\r\nConnection: keep-alive\r\nConnection: close\r\n'), false);
  });

  it('refuses an invalid field name after a valid one like it was read', () => {
    assert.equal(parse(['HTTP/1.1 200 OK\r\nX-Valid: 1\r\ncontent-length: 0\r\n\r\n']).error, undefined);
    for (const name of ['X-Valid ', ' X-Valid', 'X-Val\u0000id', 'X-V\u00e4lid']) {
      const r = parse([`HTTP/1.1 200 OK\r\n${name}: 1\r\ncontent-length: 0\r\n\r\n`]);
      assert.match(r.error ?? '(no error)', /field (name|line)/, JSON.stringify(name));
    }
  });

  it('trims field values as String#trim does, and refuses a bare LF or NUL in them', () => {
    const values: [string, string][] = [
      ['x:v', 'v'],
      ['x: v', 'v'],
      ['x:  a b \t', 'a b'],
      ['x:', ''],
      ['x: ', ''],
      ['x:\u00a0v\u00a0', 'v'],
      ['x: v\u000b', 'v'],
      ['x: \u00e9', '\u00e9'],
      ['x: a\rb', 'a\rb'],
    ];
    for (const [field, value] of values) {
      const r = parse([`HTTP/1.1 200 OK\r\n${field}\r\ncontent-length: 0\r\n\r\n`]);
      assert.deepEqual(r.heads[0]?.headers.slice(0, 2), ['x', value], JSON.stringify(field));
    }
    for (const field of ['x: a\nb', 'x: a\u0000b']) {
      const r = parse([`HTTP/1.1 200 OK\r\n${field}\r\ncontent-length: 0\r\n\r\n`]);
      assert.match(r.error ?? '(no error)', /field x: bare LF or NUL/);
    }
  });

  it('reads a content-length with leading zeros, and refuses one of 16 digits', () => {
    const r = parse(['HTTP/1.1 200 OK\r\ncontent-length: 003\r\n\r\nabc']);
    assert.deepEqual([r.body, r.ends], ['abc', 1]);
    const conflict = parse(['HTTP/1.1 200 OK\r\ncontent-length: 003\r\ncontent-length: 3\r\n\r\nabc']);
    assert.equal(conflict.error, undefined, 'the same length written two ways');
    assert.match(
      parse(['HTTP/1.1 200 OK\r\ncontent-length: 1234567890123456\r\n\r\n']).error!,
      /content-length/,
    );
  });

  it('fails an answer cut short by the connection closing', () => {
    assert.match(
      parse(['HTTP/1.1 200 OK\r\ncontent-length: 10\r\n\r\nabc'], 'POST', true).error!,
      /^UPSTREAM_CLOSED/,
    );
    assert.match(
      parse(['HTTP/1.1 200 OK\r\ntransfer-encoding: chunked\r\n\r\n5\r\nab'], 'POST', true).error!,
      /^UPSTREAM_CLOSED/,
    );
    assert.match(parse(['HTTP/1.1 200 O'], 'POST', true).error!, /^UPSTREAM_CLOSED/);
  });

  it('refuses what would make the framing ambiguous, saying what', () => {
    const cases: [string, RegExp][] = [
      ['SSH-2.0-OpenSSH\r\n\r\n', /status line "SSH-2.0-OpenSSH"/],
      ['HTTP/1.1 200 OK\nbare: lf\r\n\r\n', /status line/],
      ['HTTP/1.1 200 OK\r\nbad name: x\r\n\r\n', /field name "bad name"/],
      ['HTTP/1.1 200 OK\r\nx: a\r\n folded\r\n\r\n', /field line " folded"/],
      ['HTTP/1.1 200 OK\r\ncontent-length: 5\r\ncontent-length: 6\r\n\r\n', /conflicting content-length/],
      ['HTTP/1.1 200 OK\r\ncontent-length: -1\r\n\r\n', /content-length "-1"/],
      ['HTTP/1.1 200 OK\r\ntransfer-encoding: chunked\r\n\r\nzz\r\n', /chunk size "zz"/],
      ['HTTP/1.1 200 OK\r\ntransfer-encoding: chunked\r\n\r\n1\r\nxy', /chunk data not followed by CRLF/],
      ['HTTP/1.1 200 OK\r\ntransfer-encoding: chunked\r\n\r\n1\nx', /chunk size line not ended by CRLF/],
      ['HTTP/1.1 101 Switching Protocols\r\n\r\n', /101/],
      ['HTTP/1.1 200 OK\r\ncontent-length: 2\r\n\r\nokEXTRA', /5 bytes after the answer/],
      [`HTTP/1.1 200 OK\r\nx: ${'a'.repeat(17000)}`, /head over 16384 bytes/],
    ];
    for (const [text, re] of cases) {
      const r = parse([text]);
      assert.match(
        r.error ?? '(no error)',
        /^UPSTREAM_PROTOCOL: upstream sent an invalid HTTP answer: /,
        text.slice(0, 40),
      );
      assert.match(r.error!, re);
    }
  });

  it('completes the answer before refusing bytes that follow it', () => {
    const r = parse(['HTTP/1.1 200 OK\r\ncontent-length: 2\r\n\r\nokEXTRA']);
    assert.deepEqual([r.body, r.ends], ['ok', 1]);
  });

  it('parses the next answer after expect() is called again', () => {
    const out: string[] = [];
    const p = new ResponseParser({
      onHead: (s) => void out.push(`head ${s}`),
      onBody: (c) => void out.push(`body ${c}`),
      onEnd: () => void out.push('end'),
    });
    for (const body of ['one', 'two']) {
      p.expect('POST');
      assert.equal(p.execute(Buffer.from(`HTTP/1.1 200 OK\r\ncontent-length: 3\r\n\r\n${body}`)), undefined);
      assert.equal(p.done, true);
    }
    assert.deepEqual(out, ['head 200', 'body one', 'end', 'head 200', 'body two', 'end']);
  });
});
