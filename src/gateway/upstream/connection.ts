/**
 * One keep-alive HTTP/1.1 connection to an upstream: a `node:net` or `node:tls` socket read
 * straight into a `ResponseParser`, carrying one request at a time. No streams or request objects
 * sit in between: the parser calls the request's handler directly. A plain TCP socket is read
 * with net's `onread` option (each read lands in one shared buffer and is copied out once, with
 * no Readable stream in between); TLS sockets and proxy tunnels, which have no such option, are
 * read in paused mode (`readable` events and `read()`).
 *
 * A connection is fresh (being connected, under the connect timeout, which covers the TLS
 * handshake), busy (one request in flight, under the body timeout if it has one) or idle (in its
 * pool, until the keep-alive limit). It closes on any error, on `Connection: close`, when a
 * request is aborted, and when the server closes it; the pool hears of it at once.
 *
 * With a proxy in its endpoint, a connection opens a CONNECT tunnel first (`tunnel.ts`); a
 * `PendingTunnel` is its socket until then. Everything after connecting is the same.
 */
import net from 'node:net';
import tls from 'node:tls';
import type { ProxyTarget } from './proxy.ts';
import { ResponseParser, type ResponseSink } from './response-parser.ts';
import { PendingTunnel, type TunnelOwner } from './tunnel.ts';
import { UpstreamSocketError, type UpstreamHandler, type UpstreamRequestOptions } from './types.ts';

/** Where and how to connect. */
export interface Endpoint {
  /** `http:` or `https:`. */
  tls: boolean;
  /** Host name or address to connect to (IPv6 without brackets). */
  hostname: string;
  port: number;
  /** The `host` header: host and port as in the URL. */
  host: string;
  /** Longest connect (and TLS handshake), ms. */
  connectTimeoutMs: number;
  /** Extra `tls.connect` options (a CA for a private upstream, for instance). */
  tlsOptions?: tls.ConnectionOptions;
  /** A forward proxy to reach the upstream through (a CONNECT tunnel); absent: direct. */
  proxy?: ProxyTarget;
}

/** What a connection tells its pool. */
export interface ConnectionOwner {
  /** The request finished and the connection can carry another. */
  released(conn: UpstreamConnection): void;
  /** The connection is closed (called once, synchronously, when it starts closing). */
  closed(conn: UpstreamConnection): void;
  /** Send again on a fresh connection: a reused one was closed before answering. */
  resend(head: string, opts: UpstreamRequestOptions, handler: UpstreamHandler): void;
  /** The latest TLS session of the origin: new connections resume it (no full handshake). */
  tlsSession: Buffer | undefined;
}

/** Errors on which a request sent on a reused connection, unanswered, is sent once more. */
const STALE = new Set(['ECONNRESET', 'EPIPE', 'UPSTREAM_CLOSED']);

/**
 * Where every plain-TCP upstream socket reads into. Shared: `onread` callbacks run one at a time
 * and copy what they keep before returning.
 */
const READ_BUFFER = Buffer.allocUnsafe(64 * 1024);

/** Bodies up to this size go out in one buffer with the head (one plain write, no cork/writev). */
const ONE_WRITE_MAX = 16 * 1024;

/** `head` (UTF-8, as `socket.write(head)` would send it) and `body` in one buffer. */
function joined(head: string, body: Buffer): Buffer {
  // Room for the worst case of UTF-8 (3 bytes per UTF-16 unit) saves measuring the head first.
  const buf = Buffer.allocUnsafe(head.length * 3 + body.length);
  const n = buf.write(head, 0, 'utf8');
  body.copy(buf, n);
  return buf.subarray(0, n + body.length);
}

/** `tls.connect` options of an https endpoint: SNI (names only), ALPN, the session to resume, its own. */
function tlsConnectOptions(ep: Endpoint, session: Buffer | undefined): tls.ConnectionOptions {
  return {
    ...(net.isIP(ep.hostname) ? {} : { servername: ep.hostname }),
    ALPNProtocols: ['http/1.1'],
    ...(session ? { session } : {}),
    ...ep.tlsOptions,
  };
}

/** One upstream connection. */
export class UpstreamConnection implements ResponseSink, TunnelOwner {
  /** When it last became idle (`Date.now()`), for the keep-alive limit. */
  idleSince = 0;
  /** How long it may stay idle, ms (lowered by the server's `Keep-Alive: timeout=` hint). */
  idleLimitMs: number;
  /** Requests completed on it. */
  served = 0;

  /** The socket to the upstream (a TLS one for https); a `PendingTunnel` until a tunnel is up. */
  private socket: net.Socket | PendingTunnel;
  private readonly parser: ResponseParser;
  private connecting = true;
  private closing = false;
  private handler: UpstreamHandler | null = null;
  private opts: UpstreamRequestOptions | null = null;
  private head = '';
  /** The current request was written on a connection that had served others. */
  private reused = false;
  /** A response byte arrived for the current request. */
  private answered = false;
  /** The current request already had its one resend. */
  private resent = false;
  private paused = false;
  /** The socket is read through `onread` (else through `readable` events). */
  private readonly direct: boolean;
  private bodyTimeout = 0;
  private keepAlive = true;
  private completed = false;
  /** Set when `abort` is called while `onConnect` runs, before anything is written. */
  private abortedEarly: Error | null = null;
  private sending = false;

  constructor(
    private readonly owner: ConnectionOwner,
    private readonly endpoint: Endpoint,
    keepAliveMs: number,
  ) {
    this.idleLimitMs = keepAliveMs;
    this.parser = new ResponseParser(this);
    const tlsOptions = endpoint.tls ? tlsConnectOptions(endpoint, owner.tlsSession) : undefined;
    if (endpoint.proxy) {
      this.direct = false;
      this.socket = new PendingTunnel(endpoint, endpoint.proxy, tlsOptions, this);
      return;
    }
    const { hostname, port } = endpoint;
    this.direct = !tlsOptions;
    const socket = tlsOptions
      ? tls.connect({ host: hostname, port, ...tlsOptions })
      : net.connect({ host: hostname, port, onread: { buffer: READ_BUFFER, callback: this.onRead } });
    this.socket = socket;
    socket.setNoDelay(true);
    socket.setTimeout(endpoint.connectTimeoutMs);
    this.listen(socket, endpoint.tls ? 'secureConnect' : 'connect');
  }

  /**
   * Wires the socket's events to this connection. Connecting ends with `connected` (the TCP or
   * TLS connect), or at once without one (a tunnel already open).
   */
  private listen(socket: net.Socket, connected: 'connect' | 'secureConnect' | undefined): void {
    const owner = this.owner;
    if (this.endpoint.tls) socket.on('session', (session: Buffer) => (owner.tlsSession = session));
    if (connected) {
      socket.once(connected, () => {
        this.connecting = false;
        socket.setTimeout(0);
      });
    } else this.connecting = false;
    // Paused mode: what arrived since the last read comes as one buffer (fewer parser calls and
    // fewer, larger chunks for a stream's translator when frames arrive back to back).
    if (!this.direct) socket.on('readable', () => this.readAll());
    socket.on('end', () => this.onSocketEnd());
    socket.on('error', (err: Error) => this.onSocketError(err));
    socket.on('close', () => this.onSocketClose());
    socket.on('timeout', () => this.onSocketTimeout());
  }

  /** @internal TunnelOwner: the tunnel is up; `socket` replaces the pending one. */
  tunnelled(socket: net.Socket): void {
    this.socket = socket;
    this.listen(socket, this.endpoint.tls ? 'secureConnect' : undefined);
  }

  /** @internal TunnelOwner: opening the tunnel failed, or the socket under its TLS did. */
  tunnelFailed(err: Error): void {
    this.onSocketError(err);
  }

  /** True while it is open and may take a request (`now`: `Date.now()`). */
  usable(now: number): boolean {
    return !this.closing && now - this.idleSince < this.idleLimitMs;
  }

  /**
   * Sends a request (`head` from `requestHead`). Returns false, having failed the handler, when
   * the handler aborted it from `onConnect`: the connection is untouched and still free.
   */
  send(head: string, opts: UpstreamRequestOptions, handler: UpstreamHandler, resent = false): boolean {
    this.handler = handler;
    this.opts = opts;
    this.head = head;
    this.reused = this.served > 0;
    this.answered = false;
    this.resent = resent;
    this.keepAlive = true;
    this.bodyTimeout = opts.bodyTimeout ?? 0;
    this.abortedEarly = null;
    this.sending = true;
    this.parser.expect(opts.method);
    handler.onConnect((err) => {
      if (this.handler !== handler) return;
      const reason = err ?? new UpstreamSocketError('ABORTED', 'upstream request aborted');
      if (this.sending) this.abortedEarly = reason;
      else this.destroy(reason);
    });
    this.sending = false;
    if (this.abortedEarly) {
      const err = this.abortedEarly;
      this.handler = this.opts = null;
      this.abortedEarly = null;
      handler.onError(err);
      return false;
    }
    const body = opts.body;
    const socket = this.socket;
    if (typeof body === 'string') socket.write(head + body);
    else if (body.length <= ONE_WRITE_MAX) socket.write(joined(head, body));
    else {
      socket.cork();
      socket.write(head);
      socket.write(body);
      socket.uncork();
    }
    return true;
  }

  /** Closes the connection; a request in flight fails with `reason`. */
  destroy(reason?: Error): void {
    if (this.closing) return;
    this.closing = true;
    this.owner.closed(this);
    const h = this.handler;
    this.handler = this.opts = null;
    this.socket.destroy();
    if (h) h.onError(reason ?? new UpstreamSocketError('UPSTREAM_CLOSED', 'upstream connection closed'));
  }

  /** A reused connection closed before any answer: resend once on a fresh one, else fail. */
  private lost(err: Error & { code?: string }): void {
    const { handler, opts, head } = this;
    if (handler && opts && this.reused && !this.answered && !this.resent && STALE.has(err.code ?? '')) {
      this.handler = this.opts = null;
      this.destroy();
      this.owner.resend(head, opts, handler);
      return;
    }
    this.destroy(err);
  }

  /** @internal ResponseSink: the final head of the current answer. */
  onHead(status: number, headers: string[], keepAlive: boolean): void {
    const handler = this.handler;
    if (!handler) return;
    this.keepAlive = keepAlive;
    if (keepAlive) this.applyKeepAliveHint(headers);
    // The body timeout runs from the head on (the attempt deadline covers the wait for it).
    if (this.bodyTimeout) this.socket.setTimeout(this.bodyTimeout);
    if (!handler.onHeaders(status, headers, this.resumeFn)) this.pause();
  }

  private readonly resumeFn = (): void => {
    if (!this.paused || this.closing) return;
    this.paused = false;
    if (this.bodyTimeout && this.handler) this.socket.setTimeout(this.bodyTimeout);
    if (this.direct) (this.socket as net.Socket).resume();
    else this.readAll();
  };

  /** Stops reading: bytes wait in the socket (then the kernel) until `resumeFn`. */
  private pause(): void {
    if (this.paused) return;
    this.paused = true;
    if (this.bodyTimeout) this.socket.setTimeout(0);
  }

  /**
   * `onread`: `n` bytes arrived in `READ_BUFFER`. They are copied out (the parser and handlers
   * keep views of what they are given). Returning false stops reading until `socket.resume()`.
   */
  private readonly onRead = (n: number, buf: Buffer): boolean => {
    if (this.closing) return false;
    this.onSocketData(Buffer.from(buf.subarray(0, n)));
    return !this.paused && !this.closing;
  };

  /** Paused mode: feeds the parser everything readable, unless paused or closed meanwhile. */
  private readAll(): void {
    let data: Buffer | null;
    while (!this.paused && !this.closing && (data = this.socket.read() as Buffer | null) !== null) {
      this.onSocketData(data);
    }
  }

  /** `Keep-Alive: timeout=N` from the server: stop reusing one second before it would close. */
  private applyKeepAliveHint(headers: string[]): void {
    for (let i = 0; i < headers.length; i += 2) {
      const name = headers[i]!;
      if (name.length !== 10 || name.toLowerCase() !== 'keep-alive') continue;
      const m = /timeout=(\d+)/i.exec(headers[i + 1]!);
      if (m) this.idleLimitMs = Math.min(this.idleLimitMs, Number(m[1]) * 1000 - 1000);
    }
  }

  /** @internal ResponseSink: body bytes. */
  onBody(chunk: Buffer): void {
    const handler = this.handler;
    if (handler && !handler.onData(chunk)) this.pause();
  }

  /** @internal ResponseSink: the answer is complete. */
  onEnd(): void {
    const handler = this.handler;
    if (!handler) return;
    this.handler = this.opts = null;
    this.completed = true;
    this.served++;
    if (this.bodyTimeout) this.socket.setTimeout(0);
    handler.onComplete();
  }

  /** After a complete answer: back to the pool, or closed if either side asked for that. */
  private settle(): void {
    this.completed = false;
    if (this.keepAlive && this.idleLimitMs > 0 && !this.closing) {
      this.owner.released(this);
    } else this.destroy();
  }

  private onSocketData(data: Buffer): void {
    if (!this.handler) {
      this.destroy(); // bytes nobody asked for: the framing can no longer be trusted
      return;
    }
    this.answered = true;
    const err = this.parser.execute(data);
    if (err)
      this.destroy(err); // after a complete answer: bytes nobody asked for, not reused
    else if (this.completed) this.settle();
  }

  private onSocketEnd(): void {
    if (!this.handler) {
      this.destroy();
      return;
    }
    // A body without length ends with the connection: finish() completes it.
    const err = this.parser.finish();
    if (this.completed) {
      this.keepAlive = false;
      this.settle();
      return;
    }
    this.lost(err ?? new UpstreamSocketError('UPSTREAM_CLOSED', 'upstream closed the connection'));
  }

  private onSocketError(err: Error): void {
    if (this.handler) this.lost(err);
    else this.destroy();
  }

  private onSocketClose(): void {
    if (this.handler) this.lost(new UpstreamSocketError('UPSTREAM_CLOSED', 'upstream connection closed'));
    else this.destroy();
  }

  private onSocketTimeout(): void {
    const ep = this.endpoint;
    if (this.connecting) {
      this.destroy(
        new UpstreamSocketError(
          'CONNECT_TIMEOUT',
          `connect to ${ep.host} took over ${ep.connectTimeoutMs} ms`,
        ),
      );
    } else if (this.handler) {
      this.destroy(
        new UpstreamSocketError('BODY_TIMEOUT', `no data from upstream for ${this.bodyTimeout} ms`),
      );
    }
  }
}
