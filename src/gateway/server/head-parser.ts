/**
 * Parsing of HTTP/1.x request heads and chunked request bodies for the gateway's own server
 * (RFC 9112), strict where leniency is a smuggling risk: CRLF line endings, no obsolete line
 * folding, token header names, one Content-Length, never Content-Length with Transfer-Encoding,
 * `chunked` as the only transfer coding.
 */
import type { IncomingHttpHeaders } from 'node:http';

/** A request head that parsed. */
export interface RequestHead {
  method: string;
  /** The request target as sent (origin-form: path and query). */
  url: string;
  /** 0 for HTTP/1.0, 1 for HTTP/1.1. */
  minor: 0 | 1;
  /** Lower-case names; repeated fields joined as node:http joins them. */
  headers: IncomingHttpHeaders;
  /** The declared body length; -1 when the body is chunked. */
  bodyLength: number;
  /** True when the connection may carry another request after this one. */
  keepAlive: boolean;
  /** True when the client sent `Expect: 100-continue`. */
  expectContinue: boolean;
}

/** Why a head was refused: the status to answer with and a message naming the fault. */
export interface HeadError {
  status: number;
  message: string;
}

const TOKEN = /^[!#$%&'*+.^_`|~0-9A-Za-z-]+$/;
const REQUEST_LINE = /^([!#$%&'*+.^_`|~0-9A-Za-z-]+) (\S+) HTTP\/1\.([01])$/;
/** A request line that is well-formed but for its version (505 rather than 400). */
const OTHER_VERSION = /^[!#$%&'*+.^_`|~0-9A-Za-z-]+ \S+ HTTP\/\d\.\d$/;
/** TOKEN as a table: 1 for each latin1 char code a token may hold. */
const TOKEN_CHARS = new Uint8Array(256);
for (let c = 0; c < 256; c++) TOKEN_CHARS[c] = TOKEN.test(String.fromCharCode(c)) ? 1 : 0;

/**
 * `text` from `start` to `end` without the spaces and tabs around it. Not String.prototype.trim:
 * that also strips CR, LF, VT, FF and U+00A0, so a bare CR or LF at either end of a value (a
 * smuggling vector) would be accepted instead of refused by `badValue`.
 */
function sliceOws(text: string, start: number, end: number): string {
  while (start < end && (text.charCodeAt(start) === 32 || text.charCodeAt(start) === 9)) start++;
  while (end > start && (text.charCodeAt(end - 1) === 32 || text.charCodeAt(end - 1) === 9)) end--;
  return start === 0 && end === text.length ? text : text.slice(start, end);
}
/** `value` without the spaces and tabs around it (see sliceOws). */
function trimOws(value: string): string {
  return sliceOws(value, 0, value.length);
}
/** Where the next CRLF from `pos` is, or -1: text.indexOf('\r\n', pos), a little faster. */
function lineEnd(text: string, pos: number): number {
  let nl = text.indexOf('\n', pos);
  while (nl !== -1 && (nl === pos || text.charCodeAt(nl - 1) !== 13)) nl = text.indexOf('\n', nl + 1);
  return nl === -1 ? -1 : nl - 1;
}
/**
 * Where the method of the request line `text` up to `end` ends, when the line has the usual
 * shape `METHOD /target HTTP/1.x` (a token, a target of printable ASCII, one space between);
 * -1 otherwise. Every line of that shape matches REQUEST_LINE; the others are left to it.
 */
function usualRequestLine(text: string, end: number): number {
  const version = end - 9;
  const minor = text.charCodeAt(end - 1);
  if (version < 2 || !text.startsWith(' HTTP/1.', version) || (minor !== 48 && minor !== 49)) return -1;
  let sp = 0;
  while (TOKEN_CHARS[text.charCodeAt(sp)] === 1) sp++;
  if (sp === 0 || text.charCodeAt(sp) !== 32 || sp + 1 >= version) return -1;
  for (let i = sp + 1; i < version; i++) {
    const c = text.charCodeAt(i);
    if (c <= 32 || c >= 127) return -1;
  }
  return sp;
}
/**
 * Lower-case forms of field names already found to be tokens: clients repeat the same few names,
 * so each is checked and lower-cased once. Bounded, so that a client sending ever new names
 * cannot grow it (names past the bound are just checked every time).
 */
const lowerNames = new Map<string, string>();
const MAX_LOWER_NAMES = 256;
/** The lower-case form of field name `raw`, or undefined when it is not a token. */
function lowerName(raw: string): string | undefined {
  let lower = lowerNames.get(raw);
  if (lower !== undefined) return lower;
  lower = raw.toLowerCase();
  if (!TOKEN.test(lower)) return undefined;
  if (lowerNames.size < MAX_LOWER_NAMES) lowerNames.set(raw, lower);
  return lower;
}
/** True when a field value holds a control character other than tab (CR, LF and NUL among them). */
function badValue(value: string): boolean {
  for (let i = 0; i < value.length; i++) {
    const c = value.charCodeAt(i);
    if ((c < 32 && c !== 9) || c === 127) return true;
  }
  return false;
}
const DIGITS = /^\d{1,15}$/;
/** Fields a repeat of which is dropped (the first one counts), as node:http does. */
const FIRST_WINS = new Set([
  'age',
  'authorization',
  'content-length',
  'content-type',
  'etag',
  'expires',
  'from',
  'host',
  'if-modified-since',
  'if-unmodified-since',
  'last-modified',
  'location',
  'max-forwards',
  'proxy-authorization',
  'referer',
  'retry-after',
  'server',
  'user-agent',
]);

function fail(status: number, message: string): HeadError {
  return { status, message };
}

/** True when a comma-separated header value lists `token` (case-insensitive). */
function lists(value: string | undefined, token: string): boolean {
  if (value === undefined) return false;
  for (const part of value.split(',')) if (part.trim().toLowerCase() === token) return true;
  return false;
}

/**
 * Parses a request head: `text` is everything before the blank line that ends it (latin1, no
 * trailing CRLF). Returns the head or the error to answer with.
 */
export function parseRequestHead(text: string): RequestHead | HeadError {
  let eol = lineEnd(text, 0);
  const firstEnd = eol === -1 ? text.length : eol;
  let method: string;
  let url: string;
  let minor: 0 | 1;
  const sp = usualRequestLine(text, firstEnd);
  if (sp !== -1) {
    method = text.slice(0, sp);
    url = text.slice(sp + 1, firstEnd - 9);
    minor = text.charCodeAt(firstEnd - 1) === 48 ? 0 : 1;
  } else {
    const line = text.slice(0, firstEnd);
    const m = REQUEST_LINE.exec(line);
    if (!m) {
      if (OTHER_VERSION.test(line)) return fail(505, `HTTP version not supported: ${line.slice(0, 80)}`);
      return fail(400, `malformed request line: ${JSON.stringify(line.slice(0, 80))}`);
    }
    method = m[1]!;
    url = m[2]!;
    minor = m[3] === '0' ? 0 : 1;
  }
  const headers: IncomingHttpHeaders = {};
  const bag = headers as Record<string, string>;
  let contentLength: string | undefined;
  // Field lines, split at each CRLF as split('\r\n') would (an empty last line included).
  for (let i = 1; eol !== -1; i++) {
    const pos = eol + 2;
    eol = lineEnd(text, pos);
    const end = eol === -1 ? text.length : eol;
    const colon = text.indexOf(':', pos);
    if (colon <= pos || colon >= end) {
      const first = text.charCodeAt(pos);
      if (pos < end && (first === 32 || first === 9))
        return fail(400, `obsolete line folding in header line ${i}`);
      return fail(400, `malformed header line ${i}: ${JSON.stringify(text.slice(pos, end).slice(0, 80))}`);
    }
    const raw = text.slice(pos, colon);
    const name = lowerName(raw);
    if (name === undefined)
      return fail(400, `invalid header name ${JSON.stringify(raw.toLowerCase().slice(0, 80))}`);
    const value = sliceOws(text, colon + 1, end);
    if (badValue(value)) return fail(400, `invalid character in header ${name}`);
    if (name === 'content-length') {
      if (contentLength !== undefined && contentLength !== value)
        return fail(400, 'conflicting Content-Length headers');
      contentLength = value;
    }
    const seen = bag[name];
    if (seen === undefined) bag[name] = value;
    else if (FIRST_WINS.has(name)) continue;
    else bag[name] = `${seen}${name === 'cookie' ? '; ' : ', '}${value}`;
  }
  const te = headers['transfer-encoding'];
  let bodyLength = 0;
  if (te !== undefined) {
    if (contentLength !== undefined) return fail(400, 'both Content-Length and Transfer-Encoding were sent');
    if (te.trim().toLowerCase() !== 'chunked')
      return fail(501, `transfer coding not supported: ${te.slice(0, 40)} (only chunked is)`);
    if (minor === 0) return fail(400, 'Transfer-Encoding is not allowed in HTTP/1.0');
    bodyLength = -1;
  } else if (contentLength !== undefined) {
    if (!DIGITS.test(contentLength))
      return fail(400, `invalid Content-Length: ${contentLength.slice(0, 40)}`);
    bodyLength = Number(contentLength);
  }
  const connection = headers.connection;
  const keepAlive = minor === 1 ? !lists(connection, 'close') : lists(connection, 'keep-alive');
  const expect = headers.expect;
  if (expect !== undefined && expect.toLowerCase() !== '100-continue')
    return fail(417, `expectation not supported: ${expect.slice(0, 40)}`);
  return {
    method,
    url,
    minor,
    headers,
    bodyLength,
    keepAlive,
    expectContinue: expect !== undefined && minor === 1,
  };
}

/** True when `parseRequestHead` refused the head. */
export function isHeadError(h: RequestHead | HeadError): h is HeadError {
  return (h as HeadError).status !== undefined;
}

/** What one `push` into a chunked decoder produced. */
export interface ChunkedStep {
  /** Bytes of `input` consumed (the rest belongs to the next request, when `done`). */
  used: number;
  /** True once the last chunk and the trailers were read. */
  done: boolean;
  /** Set when the framing is broken: the status and message to answer with. */
  error?: HeadError;
}

const enum ChunkState {
  Size,
  Data,
  DataEnd,
  Trailers,
}

/** The longest chunk-size line (size and extensions) accepted, bytes. */
const MAX_SIZE_LINE = 4096;
/** The most trailer bytes accepted. */
const MAX_TRAILERS = 16 * 1024;

/**
 * Decodes a `Transfer-Encoding: chunked` body fed in pieces; the data goes to `sink`.
 * Trailer fields are read and dropped.
 */
export class ChunkedDecoder {
  private state = ChunkState.Size;
  private remaining = 0;
  private line = '';
  private trailerBytes = 0;

  constructor(private readonly sink: (data: Buffer) => void) {}

  /** Feeds bytes; returns how many were used and whether the body ended. */
  push(input: Buffer): ChunkedStep {
    let i = 0;
    while (i < input.length) {
      if (this.state === ChunkState.Data) {
        const take = Math.min(this.remaining, input.length - i);
        this.sink(input.subarray(i, i + take));
        i += take;
        this.remaining -= take;
        if (this.remaining === 0) this.state = ChunkState.DataEnd;
        continue;
      }
      const nl = input.indexOf(10, i);
      const end = nl === -1 ? input.length : nl + 1;
      this.line += input.toString('latin1', i, end);
      i = end;
      if (nl === -1) {
        if (this.line.length > (this.state === ChunkState.Trailers ? MAX_TRAILERS : MAX_SIZE_LINE))
          return { used: i, done: false, error: fail(400, 'chunked body: line too long') };
        continue;
      }
      const line = this.line;
      this.line = '';
      if (!line.endsWith('\r\n')) return { used: i, done: false, error: fail(400, 'chunked body: bare LF') };
      const text = line.slice(0, -2);
      if (this.state === ChunkState.DataEnd) {
        if (text !== '')
          return { used: i, done: false, error: fail(400, 'chunked body: data longer than its size') };
        this.state = ChunkState.Size;
      } else if (this.state === ChunkState.Size) {
        const semi = text.indexOf(';');
        const hex = trimOws(semi === -1 ? text : text.slice(0, semi));
        if (!/^[0-9a-fA-F]{1,12}$/.test(hex))
          return {
            used: i,
            done: false,
            error: fail(400, `chunked body: bad chunk size ${JSON.stringify(hex.slice(0, 20))}`),
          };
        this.remaining = parseInt(hex, 16);
        this.state = this.remaining === 0 ? ChunkState.Trailers : ChunkState.Data;
      } else {
        this.trailerBytes += line.length;
        if (this.trailerBytes > MAX_TRAILERS)
          return { used: i, done: false, error: fail(431, 'chunked body: trailers too large') };
        if (text === '') return { used: i, done: true };
      }
    }
    return { used: i, done: false };
  }
}
