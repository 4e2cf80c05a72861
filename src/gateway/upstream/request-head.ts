/**
 * The bytes of an upstream request head. The header block of a provider never changes (its
 * headers object is built once), so it is checked and serialized once per object and cached;
 * a request then costs one template string: request line, host, cached block, content length.
 */
import { NinesError } from '../../core/errors.ts';

const blocks = new WeakMap<Record<string, string>, string>();
const FORBIDDEN = /[\r\n\0]/;
const TOKEN = /^[!#$%&'*+.^_`|~0-9A-Za-z-]+$/;
/** Headers the client sets itself; a provider's own value would contradict the framing. */
const OWNED = new Set(['host', 'content-length', 'transfer-encoding', 'connection']);

/** The `name: value\r\n` lines of `headers` (checked; cached per headers object). */
export function headerBlock(headers: Record<string, string>): string {
  let block = blocks.get(headers);
  if (block === undefined) {
    block = '';
    for (const name of Object.keys(headers)) {
      const value = headers[name]!;
      if (!TOKEN.test(name))
        throw new NinesError(
          'VALIDATION',
          `upstream header name ${JSON.stringify(name)} is not an HTTP token`,
        );
      if (FORBIDDEN.test(value))
        throw new NinesError('VALIDATION', `upstream header ${name}: value holds CR, LF or NUL`);
      if (OWNED.has(name.toLowerCase())) continue;
      block += `${name}: ${value}\r\n`;
    }
    blocks.set(headers, block);
  }
  return block;
}

/** The full request head, ending with the blank line. */
export function requestHead(
  method: string,
  path: string,
  host: string,
  headers: Record<string, string>,
  bodyLength: number,
): string {
  if (FORBIDDEN.test(path) || path.includes(' ')) {
    throw new NinesError('VALIDATION', `upstream path ${JSON.stringify(path)} holds a space, CR, LF or NUL`);
  }
  return `${method} ${path} HTTP/1.1\r\nhost: ${host}\r\n${headerBlock(headers)}content-length: ${bodyLength}\r\n\r\n`;
}
