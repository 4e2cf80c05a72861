/**
 * A strict server-sent-events reader for LLM streams: decodes UTF-8 strictly, splits frames,
 * caps the total size, and rejects lines that are not SSE fields (garbage) as malformed.
 */
import {
  classifyError,
  discardBody,
  ProbeFailure,
  type HttpResponse,
  type ProbeContext,
} from './transport.ts';

/** One SSE event: its `event:` name (if any) and its joined `data:` lines. */
export interface SseEvent {
  event?: string;
  data: string;
}

const FIELD_RE = /^(data|event|id|retry)(:|$)/;

/** Incremental SSE parser: feed text, get complete events. Throws ProbeFailure on garbage. */
export class SseParser {
  private buffer = '';
  private data: string[] = [];
  private event: string | undefined;

  /** Adds decoded text; returns the events completed by it. */
  push(text: string): SseEvent[] {
    this.buffer += text;
    const out: SseEvent[] = [];
    for (;;) {
      const m = /\r\n|\n|\r/.exec(this.buffer);
      if (!m) break;
      // A lone \r at the very end may be the first half of \r\n: wait for more input.
      if (m[0] === '\r' && m.index === this.buffer.length - 1) break;
      const line = this.buffer.slice(0, m.index);
      this.buffer = this.buffer.slice(m.index + m[0].length);
      const ev = this.line(line);
      if (ev) out.push(ev);
    }
    if (this.buffer.length > 1024 * 1024) throw new ProbeFailure('malformed', 'SSE line longer than 1 MiB');
    return out;
  }

  /** Called at end of stream: returns a last event not terminated by a blank line, if any. */
  end(): SseEvent | undefined {
    if (this.buffer.length > 0) {
      const ev = this.line(this.buffer);
      this.buffer = '';
      if (ev) return ev;
    }
    return this.line('');
  }

  private line(line: string): SseEvent | undefined {
    if (line === '') {
      if (this.data.length === 0 && this.event === undefined) return undefined;
      const ev: SseEvent = { data: this.data.join('\n') };
      if (this.event !== undefined) ev.event = this.event;
      this.data = [];
      this.event = undefined;
      return ev;
    }
    if (line.startsWith(':')) return undefined;
    const m = FIELD_RE.exec(line);
    if (!m) throw new ProbeFailure('malformed', `invalid SSE line: ${JSON.stringify(line.slice(0, 80))}`);
    let value = line.slice(m[1]!.length + (m[2] === ':' ? 1 : 0));
    if (value.startsWith(' ')) value = value.slice(1);
    if (m[1] === 'data') this.data.push(value);
    else if (m[1] === 'event') this.event = value;
    return undefined;
  }
}

/**
 * Reads an SSE body, calling `onEvent` for each event until it returns true (stream complete)
 * or the body ends. Returns whether the stream completed. Enforces the body cap.
 */
export async function readSse(
  res: HttpResponse,
  ctx: ProbeContext,
  onEvent: (ev: SseEvent) => boolean,
): Promise<boolean> {
  const decoder = new TextDecoder('utf-8', { fatal: true });
  const parser = new SseParser();
  let size = 0;
  try {
    for await (const chunk of res.body) {
      const buf = chunk as Buffer;
      size += buf.length;
      if (size > ctx.maxBodyBytes)
        throw new ProbeFailure('too_large', `stream is over the ${ctx.maxBodyBytes}-byte limit`);
      let text: string;
      try {
        text = decoder.decode(buf, { stream: true });
      } catch {
        throw new ProbeFailure('malformed', 'stream is not valid UTF-8');
      }
      for (const ev of parser.push(text)) {
        if (onEvent(ev)) {
          discardBody(res);
          return true;
        }
      }
    }
    try {
      decoder.decode();
    } catch {
      throw new ProbeFailure('malformed', 'stream is not valid UTF-8');
    }
    const last = parser.end();
    return last ? onEvent(last) : false;
  } catch (err) {
    discardBody(res);
    const failure = classifyError(err, ctx.timedOut());
    if (failure.status === undefined)
      return Promise.reject(new ProbeFailure(failure.errorClass, failure.message, res.status));
    throw failure;
  }
}
