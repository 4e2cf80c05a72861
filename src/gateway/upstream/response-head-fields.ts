/**
 * The field-level pieces of the upstream response head parser (`response-parser.ts`): the status
 * line, CRLF line scanning, field names checked once and remembered, Content-Length digits. The
 * usual shapes are checked char by char; anything unusual goes to the same patterns as always,
 * so what is accepted and the error texts do not depend on the fast paths.
 */
const TOKEN = /^[!#$%&'*+.^_`|~0-9A-Za-z-]+$/;
const STATUS_LINE = /^HTTP\/1\.([01]) ([1-9]\d\d)(?: .*)?$/;

/** What a field name means for the framing. */
export const Field = { Other: 0, ContentLength: 1, TransferEncoding: 2, Connection: 3 } as const;
/** One of `Field`'s values. */
export type Field = (typeof Field)[keyof typeof Field];

/** The lower-case names of the fields the framing depends on. */
const FRAMING_FIELDS = new Map<string, Field>([
  ['content-length', Field.ContentLength],
  ['transfer-encoding', Field.TransferEncoding],
  ['connection', Field.Connection],
]);

/**
 * Raw field names already found to be tokens, with what they mean: most answers repeat the same
 * few names, so each is checked and lower-cased once. Bounded, so that a peer sending ever new
 * names cannot grow it (names past the bound are just checked every time).
 */
const knownNames = new Map<string, Field>();
const MAX_KNOWN_NAMES = 256;

/** What field `name` means, or undefined when it is not a token. */
export function fieldKind(name: string): Field | undefined {
  const known = knownNames.get(name);
  if (known !== undefined) return known;
  if (!TOKEN.test(name)) return undefined;
  const kind = FRAMING_FIELDS.get(name.toLowerCase()) ?? Field.Other;
  if (knownNames.size < MAX_KNOWN_NAMES) knownNames.set(name, kind);
  return kind;
}

/** The decimal digit `text[i]`, or NaN. */
function digitAt(text: string, i: number): number {
  const d = text.charCodeAt(i) - 48;
  return d >= 0 && d <= 9 ? d : NaN;
}

/**
 * Reads the status line, `text` up to `end`: returns the code plus 1000 for HTTP/1.1, or -1 when
 * the line is malformed. The usual `HTTP/1.1 200 OK` is checked char by char; anything else goes
 * to STATUS_LINE, so what is accepted is exactly what that pattern accepts.
 */
export function statusLine(text: string, end: number): number {
  const minor = digitAt(text, 7);
  const code = digitAt(text, 9) * 100 + digitAt(text, 10) * 10 + digitAt(text, 11);
  let fast =
    text.startsWith('HTTP/1.') &&
    minor <= 1 &&
    text.charCodeAt(8) === 32 &&
    code >= 100 &&
    (end === 12 || (end > 12 && text.charCodeAt(12) === 32));
  // The reason phrase is `.*`: no CR or LF (the text is latin1, so no U+2028 or U+2029 either).
  for (let i = 13; fast && i < end; i++) fast = text.charCodeAt(i) !== 10 && text.charCodeAt(i) !== 13;
  if (fast) return minor * 1000 + code;
  const m = STATUS_LINE.exec(text.slice(0, end));
  return m ? (m[1] === '1' ? 1000 : 0) + Number(m[2]) : -1;
}

/** The value of `text` when it is 1 to 15 decimal digits (what /^\d{1,15}$/ accepts), else -1. */
export function digits(text: string): number {
  if (text.length === 0 || text.length > 15) return -1;
  let n = 0;
  for (let i = 0; i < text.length; i++) {
    const d = text.charCodeAt(i) - 48;
    if (d < 0 || d > 9) return -1;
    n = n * 10 + d;
  }
  return n;
}

/** Where the next CRLF from `pos` is, or -1: text.indexOf('\r\n', pos), a little faster. */
export function lineEnd(text: string, pos: number): number {
  let nl = text.indexOf('\n', pos);
  while (nl !== -1 && (nl === pos || text.charCodeAt(nl - 1) !== 13)) nl = text.indexOf('\n', nl + 1);
  return nl === -1 ? -1 : nl - 1;
}

/** True when `c` is printable ASCII other than space (so trim() would not strip it). */
export function isVisible(c: number): boolean {
  return c > 32 && c < 127;
}
