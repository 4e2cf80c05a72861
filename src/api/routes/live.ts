/**
 * Live updates as Server-Sent Events: `GET /api/v1/stream` sends `result`, `state` and other
 * named events as they happen, plus a heartbeat comment every 15 s so proxies keep it open.
 */
import { Hono } from 'hono';
import { streamSSE } from 'hono/streaming';
import type { AuthVariables } from '../auth.ts';

/** A source of live events: subscribe returns the unsubscribe function. */
export interface LiveFeed {
  subscribe(listener: (event: { type: string; data: unknown }) => void): () => void;
}

/** Routes under /api/v1/stream. */
export function liveRoutes(feed: LiveFeed): Hono<{ Variables: AuthVariables }> {
  const app = new Hono<{ Variables: AuthVariables }>();
  app.get('/stream', (c) =>
    streamSSE(c, async (stream) => {
      const queue: { type: string; data: unknown }[] = [];
      let wake: (() => void) | undefined;
      const unsubscribe = feed.subscribe((e) => {
        if (queue.length < 10_000) queue.push(e);
        wake?.();
      });
      let closed = false;
      stream.onAbort(() => {
        closed = true;
        wake?.();
      });
      await stream.writeSSE({ event: 'hello', data: JSON.stringify({ at: Date.now() }) });
      try {
        while (!closed) {
          const next = queue.shift();
          if (next) {
            await stream.writeSSE({ event: next.type, data: JSON.stringify(next.data) });
            continue;
          }
          await new Promise<void>((resolve) => {
            const t = setTimeout(resolve, 15_000);
            wake = () => {
              clearTimeout(t);
              resolve();
            };
          });
          wake = undefined;
          if (!closed && queue.length === 0) await stream.write(': heartbeat\n\n');
        }
      } finally {
        unsubscribe();
      }
    }),
  );
  return app;
}
