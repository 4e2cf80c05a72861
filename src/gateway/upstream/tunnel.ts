/**
 * An HTTP CONNECT tunnel through a forward proxy, opened by a connection whose endpoint has a
 * proxy, for http and https upstreams alike: `CONNECT host:port` (with `Proxy-Authorization`
 * when the proxy URL had credentials), the proxy's answer head read up to its blank line (16 KiB
 * at most), a 2xx required; then TLS starts over the tunnel for https (same options as a direct
 * connection: SNI, ALPN, session resumption), or the tunnel is the connection for http.
 *
 * Until then a `PendingTunnel` stands in for the connection's socket and keeps what is written
 * to it (the pool sends the first request right after creating a connection), so the request
 * path of a connection is the same with or without a proxy. One timer covers the proxy connect,
 * its answer and the TLS handshake (the endpoint's connect timeout).
 */
import net from 'node:net';
import tls from 'node:tls';
import type { Endpoint } from './connection.ts';
import { proxyName, type ProxyTarget } from './proxy.ts';
import { UpstreamSocketError } from './types.ts';

/** Longest answer head a proxy may send to CONNECT, bytes. */
const MAX_ANSWER_HEAD = 16 * 1024;
const EMPTY = Buffer.alloc(0);
const HTTP = Buffer.from('HTTP/');

/** What a tunnel tells the connection it is opened for. */
export interface TunnelOwner {
  /**
   * The tunnel is up: from now on `socket` carries the upstream's bytes (for https, a TLS socket
   * still handshaking). Bytes kept so far are written to it right after this call.
   */
  tunnelled(socket: net.Socket): void;
  /**
   * Opening failed (proxy unreachable, refused, closed, not HTTP, connect timeout), or the socket
   * under a TLS tunnel failed. The owner closes (which destroys the tunnel).
   */
  tunnelFailed(err: Error): void;
}

/**
 * A connection's socket while its tunnel is being opened: keeps what the connection writes and
 * hands it to the real socket once the proxy agreed. Before its first answer byte a connection
 * calls only these methods on its socket.
 */
export class PendingTunnel {
  private readonly raw: net.Socket;
  private readonly proxyLabel: string;
  private readonly queue: (string | Buffer)[] = [];
  private answer: Buffer = EMPTY;
  private timer: NodeJS.Timeout | undefined;
  private settled = false;

  constructor(
    private readonly endpoint: Endpoint,
    proxy: ProxyTarget,
    /** `tls.connect` options for an https upstream; undefined for http. */
    private readonly tlsOptions: tls.ConnectionOptions | undefined,
    private readonly owner: TunnelOwner,
  ) {
    this.proxyLabel = proxyName(proxy);
    const raw = net.connect({ host: proxy.host, port: proxy.port });
    this.raw = raw;
    raw.setNoDelay(true);
    this.timer = setTimeout(this.onTimeout, endpoint.connectTimeoutMs);
    raw.write(connectRequest(endpoint, proxy)); // sent once connected
    raw.on('readable', this.onReadable);
    raw.on('end', this.onClosed);
    raw.on('close', this.onClosed);
    raw.on('error', this.onError);
  }

  /** Keeps bytes until the tunnel is up. */
  write(chunk: string | Buffer): boolean {
    this.queue.push(chunk);
    return true;
  }

  /** Nothing to do: kept bytes go out together anyway. */
  cork(): void {}

  /** Nothing to do (see `cork`). */
  uncork(): void {}

  /** Nothing to do: the tunnel's own timer is the connect timeout. */
  setTimeout(): this {
    return this;
  }

  /** Nothing is readable before the tunnel is up. */
  read(): null {
    return null;
  }

  /** Gives up: closes the socket to the proxy and drops kept bytes. */
  destroy(): this {
    this.settled = true;
    this.stopTimer();
    this.queue.length = 0;
    this.raw.destroy();
    return this;
  }

  /** `upstream via proxy host:port`, for messages (never the proxy's credentials). */
  private get route(): string {
    return `${authority(this.endpoint)} via proxy ${this.proxyLabel}`;
  }

  private readonly onReadable = (): void => {
    let chunk: Buffer | null;
    while (!this.settled && (chunk = this.raw.read() as Buffer | null) !== null) {
      const from = Math.max(0, this.answer.length - 3);
      this.answer = this.answer.length === 0 ? chunk : Buffer.concat([this.answer, chunk]);
      const n = Math.min(HTTP.length, this.answer.length);
      if (this.answer.compare(HTTP, 0, n, 0, n) !== 0) {
        this.fail('PROXY_PROTOCOL', `${this.route}: the proxy's answer to CONNECT is not HTTP`);
        return;
      }
      const end = this.answer.indexOf('\r\n\r\n', from);
      if ((end < 0 ? this.answer.length : end) > MAX_ANSWER_HEAD) {
        this.fail('PROXY_PROTOCOL', `${this.route}: the proxy's answer head is over 16 KiB`);
      } else if (end >= 0) this.answered(end);
    }
  };

  /** The proxy's answer head is complete (ends at `end`): the tunnel opens on a 2xx. */
  private answered(end: number): void {
    const head = this.answer.toString('latin1', 0, end);
    const nl = head.indexOf('\r\n');
    const line = nl < 0 ? head : head.slice(0, nl);
    const shown = line.replace(/[^\x20-\x7e]/g, '?').slice(0, 200);
    const m = /^HTTP\/1\.[01] (\d{3})(?: |$)/.exec(line);
    if (!m) {
      this.fail('PROXY_PROTOCOL', `${this.route}: bad status line in the proxy's answer: "${shown}"`);
    } else if (m[1]![0] !== '2') {
      this.fail('PROXY_REFUSED', `${this.route}: the proxy refused CONNECT: ${shown}`);
    } else if (this.answer.length > end + 4) {
      this.fail('PROXY_PROTOCOL', `${this.route}: the proxy sent bytes after its answer to CONNECT`);
    } else this.open();
  }

  /** The proxy said yes: TLS over the tunnel for https, then the kept bytes go out. */
  private open(): void {
    this.settled = true;
    this.answer = EMPTY;
    const raw = this.raw;
    raw.removeListener('readable', this.onReadable);
    raw.removeListener('end', this.onClosed);
    raw.removeListener('close', this.onClosed);
    let socket: net.Socket = raw;
    if (this.tlsOptions) {
      // The timer runs on through the handshake; errors of the socket under TLS still count.
      // `host`: the certificate of an upstream without SNI (an IP) is checked against it, not the proxy.
      socket = tls.connect({ ...this.tlsOptions, host: this.endpoint.hostname, socket: raw });
      socket.once('secureConnect', () => this.stopTimer());
      socket.once('close', () => {
        this.stopTimer();
        raw.destroy();
      });
    } else {
      raw.removeListener('error', this.onError);
      this.stopTimer();
    }
    this.owner.tunnelled(socket);
    if (this.queue.length > 0) {
      socket.cork();
      for (const chunk of this.queue) socket.write(chunk);
      socket.uncork();
      this.queue.length = 0;
    }
  }

  private fail(code: string, message: string): void {
    if (this.settled) return;
    this.settled = true;
    this.stopTimer();
    this.owner.tunnelFailed(new UpstreamSocketError(code, message));
  }

  private readonly onClosed = (): void => {
    this.fail(
      'PROXY_CLOSED',
      this.answer.length === 0
        ? `${this.route}: the proxy closed the connection without answering CONNECT`
        : `${this.route}: the proxy closed the connection in the middle of its answer`,
    );
  };

  private readonly onError = (err: Error): void => {
    if (!this.settled) err.message = `proxy ${this.proxyLabel}: ${err.message}`;
    this.settled = true;
    this.stopTimer();
    this.owner.tunnelFailed(err);
  };

  private readonly onTimeout = (): void => {
    this.timer = undefined;
    this.settled = true;
    const ms = this.endpoint.connectTimeoutMs;
    this.owner.tunnelFailed(
      new UpstreamSocketError('CONNECT_TIMEOUT', `connect to ${this.route} took over ${ms} ms`),
    );
  };

  private stopTimer(): void {
    if (this.timer) clearTimeout(this.timer);
    this.timer = undefined;
  }
}

/** `host:port` of the upstream, as CONNECT names it (IPv6 in brackets). */
function authority(ep: Endpoint): string {
  return `${ep.hostname.includes(':') ? `[${ep.hostname}]` : ep.hostname}:${ep.port}`;
}

/** The CONNECT request head for the endpoint's upstream. */
function connectRequest(ep: Endpoint, proxy: ProxyTarget): string {
  const target = authority(ep);
  const auth = proxy.authorization ? `Proxy-Authorization: ${proxy.authorization}\r\n` : '';
  return `CONNECT ${target} HTTP/1.1\r\nHost: ${target}\r\n${auth}\r\n`;
}
