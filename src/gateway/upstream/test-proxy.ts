/**
 * Test support (used by *.test.ts only): a forward proxy on loopback that speaks HTTP CONNECT
 * the way egress proxies do. It answers each CONNECT (200 after connecting to the target, or a
 * refusal), pipes bytes both ways, and records what it was asked: target and Proxy-Authorization.
 */
import http from 'node:http';
import net from 'node:net';

/** One CONNECT the proxy received. */
export interface SeenConnect {
  /** The request target: `host:port`. */
  target: string;
  /** The `Host` header. */
  host: string | undefined;
  /** The `Proxy-Authorization` header, if any. */
  authorization: string | undefined;
}

/** A running loopback CONNECT proxy. */
export interface TestProxy {
  port: number;
  /** Every CONNECT so far, in order. */
  connects: SeenConnect[];
  /** Closes the listener and every tunnel. */
  close(): Promise<void>;
}

/** Options of `startTestProxy`. */
export interface TestProxyOptions {
  /** Answer 407 to a CONNECT without this exact `Proxy-Authorization`. */
  authorization?: string;
  /** Loopback address to listen on (default 127.0.0.1). */
  host?: string;
  /** Names only the proxy can resolve (as an egress proxy resolves outside names): name → address. */
  hosts?: Record<string, string>;
}

/** Starts a CONNECT proxy on loopback (ephemeral port). */
export async function startTestProxy(opts: TestProxyOptions = {}): Promise<TestProxy> {
  const connects: SeenConnect[] = [];
  const sockets = new Set<net.Socket>();
  const track = (s: net.Socket) => {
    sockets.add(s);
    s.on('close', () => sockets.delete(s));
    s.on('error', () => s.destroy());
  };
  const server = http.createServer((_req, res) => {
    res.statusCode = 405;
    res.end('CONNECT only');
  });
  server.on('connect', (req: http.IncomingMessage, client: net.Socket, head: Buffer) => {
    track(client);
    const authorization = req.headers['proxy-authorization'];
    connects.push({ target: req.url ?? '', host: req.headers.host, authorization });
    if (opts.authorization !== undefined && authorization !== opts.authorization) {
      client.end(
        'HTTP/1.1 407 Proxy Authentication Required\r\nProxy-Authenticate: Basic realm="test"\r\n' +
          'Content-Length: 0\r\n\r\n',
      );
      return;
    }
    const m = /^\[?([^\]]*?)\]?:(\d+)$/.exec(req.url ?? '');
    if (!m) return void client.end('HTTP/1.1 400 Bad Request\r\n\r\n');
    const upstream = net.connect(Number(m[2]), opts.hosts?.[m[1]!] ?? m[1]!, () => {
      client.write('HTTP/1.1 200 Connection Established\r\n\r\n');
      if (head.length > 0) upstream.write(head);
      upstream.pipe(client);
      client.pipe(upstream);
    });
    track(upstream);
    upstream.on('error', () => client.destroy());
    client.on('close', () => upstream.destroy());
  });
  await new Promise<void>((resolve) => server.listen(0, opts.host ?? '127.0.0.1', resolve));
  return {
    port: (server.address() as net.AddressInfo).port,
    connects,
    async close() {
      for (const s of sockets) s.destroy();
      server.closeAllConnections();
      await new Promise((r) => server.close(r));
    },
  };
}
