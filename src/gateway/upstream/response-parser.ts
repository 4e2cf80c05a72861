/**
 * An HTTP/1.1 response parser in plain JavaScript, for upstream answers (RFC 9112). It reads a
 * head (status line and fields, CRLF line ends, at most 16 KiB), works out the framing and hands
 * the body on: content-length, chunked (sizes, extensions and trailers read and dropped) or until
 * the connection closes; 1xx answers are skipped, and 204, 304 and answers to HEAD have no body.
 *
 * Why not Node's own parser: it copies every body chunk into a new Buffer and enters JavaScript
 * once per chunk; a 50-frame SSE answer is 50 such calls. Here everything that one socket read
 * holds of a body is handed on as one buffer (a view when it is contiguous), so a stream's
 * translator runs once per read, not once per frame.
 *
 * Strict where framing is at stake: conflicting content lengths, a bad chunk size, bare LF line
 * ends, folded fields or a field name with spaces fail the answer; the caller drops the connection.
 */
import { Field, digits, fieldKind, isVisible, lineEnd, statusLine } from './response-head-fields.ts';
import { UpstreamSocketError } from './types.ts';

/** What a parsed answer is told to. */
export interface ResponseSink {
  /** A final (non-1xx) head; `headers` is a flat `[name, value, ...]` list. */
  onHead(status: number, headers: string[], keepAlive: boolean): void;
  /** Body bytes (all of them that one `execute` call held, in order). */
  onBody(chunk: Buffer): void;
  /** The answer is complete. */
  onEnd(): void;
}

const MAX_HEAD = 16 * 1024;
const MAX_SIZE_LINE = 1024;
const CRLF2 = Buffer.from('\r\n\r\n');

const enum State {
  Idle,
  Head,
  Length,
  ChunkSize,
  ChunkData,
  ChunkDataEnd,
  Trailers,
  UntilClose,
  Done,
}

/** The value of hex digit byte `c`, or -1. */
function hexValue(c: number): number {
  if (c >= 48 && c <= 57) return c - 48;
  const lower = c | 32;
  return lower >= 97 && lower <= 102 ? lower - 87 : -1;
}

function protocolError(message: string): UpstreamSocketError {
  return new UpstreamSocketError('UPSTREAM_PROTOCOL', `upstream sent an invalid HTTP answer: ${message}`);
}

/** Parses the answers to the requests of one connection, one at a time. */
export class ResponseParser {
  private state = State.Idle;
  private method = 'POST';
  /** Bytes of a head or chunk-size line not yet complete. */
  private partial: Buffer | null = null;
  private remaining = 0;
  private parts: Buffer[] = [];
  /** The current answer's own keep-alive verdict (false once its framing needs the close). */
  private keepAlive = true;

  constructor(private readonly sink: ResponseSink) {}

  /** True after an answer ended (until `expect` is called for the next request). */
  get done(): boolean {
    return this.state === State.Done;
  }

  /** Starts on the answer to a request sent with `method`. */
  expect(method: string): void {
    this.state = State.Head;
    this.method = method;
    this.partial = null;
    this.parts.length = 0;
  }

  /**
   * Parses `data`. Returns an error when the answer is malformed (the connection must be
   * dropped), or when bytes follow a complete answer (the connection must not be reused).
   */
  execute(data: Buffer): UpstreamSocketError | undefined {
    let at = 0;
    const end = data.length;
    while (at < end) {
      switch (this.state) {
        case State.Head:
        case State.ChunkSize:
        case State.Trailers: {
          // Line-based parts: each returns where it stopped, or the error.
          const r =
            this.state === State.Head
              ? this.head(data, at)
              : this.state === State.ChunkSize
                ? this.chunkSize(data, at)
                : this.trailers(data, at);
          if (typeof r !== 'number') return r;
          at = r;
          break;
        }
        case State.Length:
          at = this.take(data, at);
          if (this.remaining === 0) this.finishMessage();
          break;
        case State.ChunkData:
          at = this.take(data, at);
          if (this.remaining === 0) {
            this.state = State.ChunkDataEnd;
            this.remaining = 2;
          }
          break;
        case State.ChunkDataEnd: {
          // The CRLF after a chunk's data (possibly split across reads).
          const expected = this.remaining === 2 ? 13 : 10;
          if (data[at] !== expected) return protocolError('chunk data not followed by CRLF');
          at++;
          if (--this.remaining === 0) this.state = State.ChunkSize;
          break;
        }
        case State.UntilClose:
          this.parts.push(at === 0 ? data : data.subarray(at));
          at = end;
          break;
        case State.Idle:
        case State.Done:
          this.flush();
          return protocolError(`${end - at} bytes after the answer`);
      }
    }
    this.flush();
    return undefined;
  }

  /** The connection closed: ends a read-until-close body, else fails an unfinished answer. */
  finish(): UpstreamSocketError | undefined {
    if (this.state === State.UntilClose) {
      this.finishMessage();
      this.flush();
      return undefined;
    }
    if (this.state === State.Idle || this.state === State.Done) return undefined;
    this.flush();
    return new UpstreamSocketError(
      'UPSTREAM_CLOSED',
      'upstream closed the connection before the answer ended',
    );
  }

  /** Takes up to `remaining` body bytes of `data` from `at`; returns where it stopped. */
  private take(data: Buffer, at: number): number {
    const n = Math.min(this.remaining, data.length - at);
    this.parts.push(data.subarray(at, at + n));
    this.remaining -= n;
    return at + n;
  }

  /** Hands on the body bytes gathered so far, as one buffer. */
  private flush(): void {
    const parts = this.parts;
    if (parts.length === 0) return;
    const chunk = parts.length === 1 ? parts[0]! : Buffer.concat(parts);
    parts.length = 0;
    if (chunk.length > 0) this.sink.onBody(chunk);
  }

  private finishMessage(): void {
    this.flush();
    this.state = State.Done;
    this.sink.onEnd();
  }

  /** Reads a line-block (head or trailers) ending in CRLFCRLF, joined with any partial bytes. */
  private block(data: Buffer, at: number): { text: string; next: number } | number {
    let buf = data;
    let from = at;
    let searchFrom = at;
    if (this.partial) {
      searchFrom = Math.max(0, this.partial.length - 3);
      buf = Buffer.concat([this.partial, data.subarray(at)]);
      from = 0;
      this.partial = null;
    }
    const stop = buf.indexOf(CRLF2, searchFrom);
    if (stop === -1) {
      if (buf.length - from > MAX_HEAD) return -1;
      this.partial = from === 0 && buf !== data ? buf : buf.subarray(from);
      return -2;
    }
    if (stop - from > MAX_HEAD) return -1;
    const text = buf.toString('latin1', from, stop);
    // Where parsing goes on in `data` (the joined buffer's tail is `data` from `at`).
    const next = buf === data ? stop + 4 : at + (stop + 4 - (buf.length - (data.length - at)));
    return { text, next };
  }

  private head(data: Buffer, at: number): number | UpstreamSocketError {
    const b = this.block(data, at);
    if (b === -1) return protocolError(`head over ${MAX_HEAD} bytes`);
    if (b === -2) return data.length;
    if (typeof b === 'number') return b;
    const text = b.text;
    const len = text.length;
    let eol = lineEnd(text, 0);
    const parsed = statusLine(text, eol === -1 ? len : eol);
    if (parsed === -1)
      return protocolError(
        `status line ${JSON.stringify(text.slice(0, eol === -1 ? len : eol).slice(0, 60))}`,
      );
    const http11 = parsed >= 1000;
    const status = parsed % 1000;
    const headers: string[] = [];
    let contentLength = -1;
    let chunked = false;
    let transferEncoding = false;
    let connection = '';
    // Field lines, split at each CRLF as split('\r\n') would (an empty last line included).
    while (eol !== -1) {
      const pos = eol + 2;
      eol = lineEnd(text, pos);
      const end = eol === -1 ? len : eol;
      const colon = text.indexOf(':', pos);
      if (colon <= pos || colon >= end)
        return protocolError(`field line ${JSON.stringify(text.slice(pos, end).slice(0, 60))}`);
      const name = text.slice(pos, colon);
      const kind = fieldKind(name);
      if (kind === undefined) return protocolError(`field name ${JSON.stringify(name.slice(0, 60))}`);
      // `: value` needs no trim(): slice past the one space.
      const from = text.charCodeAt(colon + 1) === 32 ? colon + 2 : colon + 1;
      const value =
        from < end && isVisible(text.charCodeAt(from)) && isVisible(text.charCodeAt(end - 1))
          ? text.slice(from, end)
          : text.slice(colon + 1, end).trim();
      if (value.includes('\n') || value.includes('\0')) return protocolError(`field ${name}: bare LF or NUL`);
      headers.push(name, value);
      if (kind === Field.ContentLength) {
        const n = digits(value);
        if (n === -1) return protocolError(`content-length ${JSON.stringify(value)}`);
        if (contentLength !== -1 && contentLength !== n)
          return protocolError('conflicting content-length fields');
        contentLength = n;
      } else if (kind === Field.TransferEncoding) {
        transferEncoding = true;
        chunked = /(?:^|,)\s*chunked\s*$/i.test(value);
      } else if (kind === Field.Connection) connection += `,${value.toLowerCase()}`;
    }
    if (status < 200) {
      if (status === 101) return protocolError('101 Switching Protocols was not asked for');
      return b.next; // 1xx: the final answer follows
    }
    // No Connection field, or just `keep-alive`, is the usual case: no need for the patterns.
    this.keepAlive =
      connection === ''
        ? http11
        : connection === ',keep-alive' ||
          (http11
            ? !/(?:^|,)\s*close\s*(?:,|$)/.test(connection)
            : /(?:^|,)\s*keep-alive\s*(?:,|$)/.test(connection));
    const bodiless = this.method === 'HEAD' || status === 204 || status === 304;
    if (bodiless) this.state = State.Done;
    else if (transferEncoding) {
      // Transfer-Encoding overrides Content-Length; a sender of both may be a smuggler: no reuse.
      if (contentLength !== -1) this.keepAlive = false;
      if (chunked) this.state = State.ChunkSize;
      else {
        this.state = State.UntilClose;
        this.keepAlive = false;
      }
    } else if (contentLength !== -1) {
      this.state = State.Length;
      this.remaining = contentLength;
    } else {
      this.state = State.UntilClose;
      this.keepAlive = false;
    }
    this.sink.onHead(status, headers, this.keepAlive);
    if (this.state === State.Done || (this.state === State.Length && this.remaining === 0)) {
      this.finishMessage();
    }
    return b.next;
  }

  private chunkSize(data: Buffer, at: number): number | UpstreamSocketError {
    // The usual line, hex digits and CRLF within this read, read straight off the bytes.
    if (this.partial === null) {
      let size = 0;
      let i = at;
      const stop = Math.min(data.length, at + 13); // up to 12 digits, then CR
      for (; i < stop; i++) {
        const v = hexValue(data[i]!);
        if (v === -1) break;
        size = size * 16 + v;
      }
      if (i > at && i - at <= 12 && i + 1 < data.length && data[i] === 13 && data[i + 1] === 10) {
        if (size === 0) this.state = State.Trailers;
        else {
          this.state = State.ChunkData;
          this.remaining = size;
        }
        return i + 2;
      }
    }
    let buf = data;
    let from = at;
    if (this.partial) {
      buf = Buffer.concat([this.partial, data.subarray(at)]);
      from = 0;
      this.partial = null;
    }
    const cr = buf.indexOf(13, from);
    const lf = buf.indexOf(10, from);
    if (lf !== -1 && (cr === -1 || lf < cr)) return protocolError('chunk size line not ended by CRLF');
    if (cr === -1 || cr + 1 >= buf.length) {
      if (buf.length - from > MAX_SIZE_LINE) return protocolError('chunk size line too long');
      this.partial = buf.subarray(from);
      return data.length;
    }
    if (buf[cr + 1] !== 10) return protocolError('chunk size line not ended by CRLF');
    if (cr - from > MAX_SIZE_LINE) return protocolError('chunk size line too long');
    const line = buf.toString('latin1', from, cr);
    const semi = line.indexOf(';');
    const hex = (semi === -1 ? line : line.slice(0, semi)).trimEnd();
    if (!/^[0-9a-fA-F]{1,12}$/.test(hex))
      return protocolError(`chunk size ${JSON.stringify(hex.slice(0, 20))}`);
    const size = parseInt(hex, 16);
    const next = buf === data ? cr + 2 : at + (cr + 2 - (buf.length - (data.length - at)));
    if (size === 0) this.state = State.Trailers;
    else {
      this.state = State.ChunkData;
      this.remaining = size;
    }
    return next;
  }

  /** After the last chunk: an empty line, or trailer fields and then one. */
  private trailers(data: Buffer, at: number): number | UpstreamSocketError {
    // The common case: no trailers, just CRLF.
    if (this.partial === null && data.length - at >= 2 && data[at] === 13 && data[at + 1] === 10) {
      this.finishMessage();
      return at + 2;
    }
    if (this.partial === null && data.length - at === 1 && data[at] === 13) {
      this.partial = data.subarray(at);
      return data.length;
    }
    if (this.partial !== null && this.partial.length === 1 && this.partial[0] === 13) {
      this.partial = null;
      if (data[at] !== 10) return protocolError('last chunk not followed by CRLF');
      this.finishMessage();
      return at + 1;
    }
    // Trailer fields: skip up to and including CRLFCRLF.
    const b = this.block(data, at);
    if (b === -1) return protocolError(`trailers over ${MAX_HEAD} bytes`);
    if (b === -2) return data.length;
    if (typeof b === 'number') return b;
    this.finishMessage();
    return b.next;
  }
}
