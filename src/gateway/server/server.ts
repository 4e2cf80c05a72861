/**
 * The gateway's own HTTP/1.1 server on node:net. It does what the gateway needs of node:http's
 * server (keep-alive, pipelining, Content-Length and chunked bodies, `Expect: 100-continue`,
 * chunked or close-delimited responses, idle and slow-request timeouts) with far less work per
 * request: the body is read before the handler runs, the head and a small answer go out in one
 * write, and there are no per-request streams. See src/gateway/server/README.md.
 */
import { createServer, type AddressInfo, type Server } from 'node:net';
import { GatewayServerConnection, type GatewayRequestHandler, type ServerLimits } from './connection.ts';

/** A listening gateway server. */
export interface GatewayHttpServer {
  /** The node:net server (for `address()` and `close()`). */
  readonly server: Server;
  /** Starts listening; resolves with the bound port. */
  listen(port: number, host: string): Promise<number>;
  /** Stops accepting; closes idle connections now and the rest once their answers end (or `close(true)`: now). */
  close(now?: boolean): Promise<void>;
  /** Open connections (for tests and metrics). */
  readonly connections: number;
  /** The limits in force; a change (a config reload) applies to requests read from then on. */
  readonly limits: ServerLimits;
}

/** Defaults: node:http's head limit (16 KiB), a 65 s keep-alive, 60 s to send a request head. */
export const DEFAULT_LIMITS: ServerLimits = {
  maxHeadBytes: 16 * 1024,
  maxBodyBytes: 4 * 1024 * 1024,
  keepAliveMs: 65_000,
  requestMs: 60_000,
};

/** How often connections are checked against their timeouts, ms. */
const SWEEP_MS = 1000;

/** Creates the server; `limits` may be changed later through the returned object's `limits`. */
export function createGatewayServer(
  handler: GatewayRequestHandler,
  limits: Partial<ServerLimits> = {},
): GatewayHttpServer {
  const all: ServerLimits = { ...DEFAULT_LIMITS, ...limits };
  const open = new Set<GatewayServerConnection>();
  let closing = false;
  const gone = (c: GatewayServerConnection): void => {
    open.delete(c);
  };
  const server = createServer({ noDelay: true }, (socket) => {
    if (closing) return void socket.destroy();
    open.add(new GatewayServerConnection(socket, handler, all, gone));
  });
  let sweeper: NodeJS.Timeout | undefined;
  const sweep = (): void => {
    const now = Date.now();
    for (const c of open) c.sweep(now);
  };
  return {
    server,
    limits: all,
    get connections() {
      return open.size;
    },
    listen(port, host) {
      return new Promise<number>((resolve, reject) => {
        server.once('error', reject);
        server.listen(port, host, () => {
          server.off('error', reject);
          sweeper = setInterval(sweep, SWEEP_MS);
          sweeper.unref();
          resolve((server.address() as AddressInfo).port);
        });
      });
    },
    close(now = false) {
      closing = true;
      // The sweep goes on until the last connection is gone, so one stalled mid-request still
      // times out (else `close()` would wait on it forever). server.close calls back once every
      // connection closed (at once, with an error, when it was not listening).
      const closed = new Promise<void>((resolve) =>
        server.close(() => {
          if (sweeper) clearInterval(sweeper);
          resolve();
        }),
      );
      for (const c of open)
        if (now) c.destroy();
        else c.closeWhenDone();
      // (Testing server.listening here resolved at once: server.close() had just cleared it.)
      return closed;
    },
  };
}

export type { GatewayRequestHandler, ServerLimits };
