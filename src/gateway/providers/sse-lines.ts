/**
 * Splits an SSE byte stream into complete lines, keeping a partial last line for the next
 * chunk. Adapters parse only `data:` lines, as little as they need.
 */

/** Accumulates chunks and yields complete lines (without the newline). */
export class SseLines {
  private rest = '';

  /** The complete lines in `chunk` (plus what was left over), and the text those lines spanned. */
  push(chunk: Buffer): { lines: string[]; text: string } {
    const s = this.rest + chunk.toString('utf8');
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
