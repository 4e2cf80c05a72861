/**
 * Splits an SSE byte stream into complete lines, keeping a partial last line for the next
 * chunk. Adapters parse only `data:` lines, as little as they need.
 */

import { StringDecoder } from 'node:string_decoder';

/** Accumulates chunks and yields complete lines (without the newline); UTF-8 split across chunks is kept whole. */
export class SseLines {
  private rest = '';
  private readonly decoder = new StringDecoder('utf8');

  /** The complete lines in `chunk` (plus what was left over), and the text those lines spanned. */
  push(chunk: Buffer): { lines: string[]; text: string } {
    const s = this.rest + this.decoder.write(chunk);
    const last = s.lastIndexOf('\n');
    if (last === -1) {
      this.rest = s;
      return { lines: [], text: '' };
    }
    this.rest = s.slice(last + 1);
    const text = s.slice(0, last + 1);
    return { lines: text.split('\n'), text };
  }
}

/** The payload of a `data:` line, or undefined for other lines. */
export function dataOf(line: string): string | undefined {
  if (!line.startsWith('data:')) return undefined;
  const v = line.charCodeAt(5) === 32 ? line.slice(6) : line.slice(5);
  return v.endsWith('\r') ? v.slice(0, -1) : v;
}
