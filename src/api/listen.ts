/** Serves a Hono app on node:http and resolves once it is listening. */
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { serve } from '@hono/node-server';
import type { Hono } from 'hono';
import { NinesError } from '../core/errors.ts';

/** A running HTTP server with its URL and a close function. */
export interface RunningServer {
  url: string;
  port: number;
  server: Server;
  close(): Promise<void>;
}

/** Starts serving `app` on host:port (port 0 picks a free one). */
export function listenApp(app: Hono, host: string, port: number): Promise<RunningServer> {
  return new Promise((resolve, reject) => {
    const server = serve({ fetch: app.fetch, hostname: host, port }) as Server;
    server.once('error', (err: NodeJS.ErrnoException) =>
      reject(
        err.code === 'EADDRINUSE' || err.code === 'EACCES'
          ? new NinesError(
              'UNAVAILABLE',
              `cannot listen on ${host}:${port}: ${err.code === 'EADDRINUSE' ? 'the port is in use' : 'permission denied'} (choose another port: server.port in the config, or --port for the demo)`,
              { cause: err, retryable: false },
            )
          : err,
      ),
    );
    server.once('listening', () => {
      const addr = server.address() as AddressInfo;
      const shownHost = host.includes(':') ? `[${host}]` : host;
      resolve({
        url: `http://${shownHost}:${addr.port}`,
        port: addr.port,
        server,
        close: () =>
          new Promise<void>((res) => {
            server.closeAllConnections?.();
            server.close(() => res());
          }),
      });
    });
  });
}
