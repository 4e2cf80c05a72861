/**
 * Test support (used by *.test.ts only): loopback servers on ephemeral ports for the upstream
 * client's tests, one list of things to close after the suite (closed in reverse order), and
 * the error a request fails with.
 */
import type http from 'node:http';
import net from 'node:net';
import { UpstreamCall } from '../upstream-call.ts';
import type { UpstreamDispatcher, UpstreamRequestOptions } from './types.ts';

/** The error a request through `dispatcher` fails with; throws if it succeeds. */
export async function failureOf(
  dispatcher: UpstreamDispatcher,
  opts: UpstreamRequestOptions,
): Promise<Error & { code?: string }> {
  try {
    await new UpstreamCall(1 << 20).fetch(dispatcher, opts);
  } catch (err) {
    return err as Error & { code?: string };
  }
  throw new Error('request did not fail');
}

/** Loopback servers of one test file, and everything to close after it. */
export class TestServers {
  /** Closed by `closeAll`, last added first. */
  readonly closers: (() => unknown)[] = [];

  /** Listens on 127.0.0.1 (ephemeral port); the server and its connections close after the suite. */
  async listen(server: net.Server): Promise<number> {
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    this.closers.push(() => {
      (server as http.Server).closeAllConnections?.();
      return new Promise((r) => server.close(r));
    });
    return (server.address() as net.AddressInfo).port;
  }

  /** A raw TCP server running `onSocket` per connection (numbered from 0), counting connections. */
  async rawServer(
    onSocket: (s: net.Socket, index: number) => void,
  ): Promise<{ port: number; connections: () => number }> {
    let connections = 0;
    const sockets = new Set<net.Socket>();
    const server = net.createServer((s) => {
      sockets.add(s);
      s.on('close', () => sockets.delete(s));
      s.on('error', () => {});
      onSocket(s, connections++);
    });
    const port = await this.listen(server);
    this.closers.push(() => sockets.forEach((s) => s.destroy())); // runs before the server's close
    return { port, connections: () => connections };
  }

  /** Closes everything, last added first. */
  async closeAll(): Promise<void> {
    for (const c of this.closers.reverse()) await c();
    this.closers.length = 0;
  }
}
