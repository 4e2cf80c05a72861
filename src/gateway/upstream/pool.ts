/**
 * Keep-alive connections to one upstream origin, at most `connections` of them. A request takes
 * the most recently idle connection (warm, least likely to have been closed by the server), else
 * opens a new one while under the limit, else waits in FIFO order for the next connection freed.
 *
 * Idle connections are dropped after `keepAliveMs`, or one second before the server's own
 * `Keep-Alive: timeout=` hint; a request that still lands on a connection the server had just
 * closed (reset or closed with no answer) is sent once more on a fresh connection, as a failover
 * to another deployment would send it anyway.
 *
 * With `proxy`, every connection of the pool goes through that forward proxy (a CONNECT tunnel);
 * everything else (reuse, resend, TLS session resumption) is the same.
 */
import type tls from 'node:tls';
import { UpstreamConnection, type ConnectionOwner, type Endpoint } from './connection.ts';
import { proxyName, type ProxyTarget } from './proxy.ts';
import { requestHead } from './request-head.ts';
import {
  UpstreamSocketError,
  type UpstreamDispatcher,
  type UpstreamHandler,
  type UpstreamRequestOptions,
} from './types.ts';

/** How a pool connects and keeps its connections. */
export interface UpstreamPoolOptions {
  /** Most connections open at once (default 128). */
  connections?: number;
  /** Longest idle time before a connection is closed, ms (default 30 s). */
  keepAliveMs?: number;
  /** Longest connect, TLS handshake (and proxy tunnel) included, ms (default 5 s). */
  connectTimeoutMs?: number;
  /** Extra `tls.connect` options for `https:` origins (a private CA, for instance). */
  tls?: tls.ConnectionOptions;
  /** A forward proxy to reach the origin through (`proxyFor` decides); absent: direct. */
  proxy?: ProxyTarget;
}

interface Waiting {
  head: string;
  opts: UpstreamRequestOptions;
  handler: UpstreamHandler;
}

/** How often idle connections are checked against their keep-alive limit, ms. */
const SWEEP_MS = 1000;

/** The connections to one origin. */
export class UpstreamPool implements UpstreamDispatcher, ConnectionOwner {
  /** `http(s)://host[:port]`: the origin this pool connects to. */
  readonly origin: string;
  /** The origin, plus ` via host:port` of its proxy (no credentials): for metrics labels. */
  readonly label: string;
  private readonly endpoint: Endpoint;
  private limit: number;
  private readonly keepAliveMs: number;
  private readonly open = new Set<UpstreamConnection>();
  private readonly idle: UpstreamConnection[] = [];
  private waiting: Waiting[] = [];
  private waitingHead = 0;
  private sweeper: NodeJS.Timeout | undefined;
  private isClosed = false;
  private draining = false;
  /** @internal The latest TLS session ticket, resumed by new connections. */
  tlsSession: Buffer | undefined;

  /** @param origin `http://host:port` or `https://host:port` (a path is ignored). */
  constructor(origin: string, options: UpstreamPoolOptions = {}) {
    const url = new URL(origin);
    if (url.protocol !== 'http:' && url.protocol !== 'https:') {
      throw new UpstreamSocketError(
        'UPSTREAM_URL',
        `upstream origin ${origin}: protocol must be http: or https:`,
      );
    }
    const secure = url.protocol === 'https:';
    this.origin = url.origin;
    this.label = options.proxy ? `${url.origin} via ${proxyName(options.proxy)}` : url.origin;
    this.endpoint = {
      tls: secure,
      hostname: url.hostname.replace(/^\[(.*)\]$/, '$1'),
      port: url.port ? Number(url.port) : secure ? 443 : 80,
      host: url.host,
      connectTimeoutMs: options.connectTimeoutMs ?? 5000,
    };
    if (options.tls) this.endpoint.tlsOptions = options.tls;
    if (options.proxy) this.endpoint.proxy = options.proxy;
    this.limit = options.connections ?? 128;
    this.keepAliveMs = options.keepAliveMs ?? 30_000;
  }

  /** Connections open (idle or busy), for tests and metrics. */
  get size(): number {
    return this.open.size;
  }

  /** Idle connections, for tests and metrics. */
  get idleCount(): number {
    return this.idle.length;
  }

  /** Requests waiting for a connection. */
  get pending(): number {
    return this.waiting.length - this.waitingHead;
  }

  /**
   * Sends a request; its handler hears everything else. Throws VALIDATION synchronously when the
   * request cannot be written (a header or path with CR/LF); fails the handler once closed.
   */
  dispatch(opts: UpstreamRequestOptions, handler: UpstreamHandler): boolean {
    if (this.isClosed) {
      handler.onError(new UpstreamSocketError('POOL_CLOSED', 'upstream pool closed'));
      return false;
    }
    const body = opts.body;
    const length = typeof body === 'string' ? Buffer.byteLength(body) : body.length;
    const head = requestHead(opts.method, opts.path, this.endpoint.host, opts.headers, length);
    this.assign(head, opts, handler);
    return true;
  }

  /**
   * Retires the pool gracefully (a config reload dropped its origin): idle connections close now,
   * busy ones once their request ends; a request still sent here (an attempt planned before the
   * reload) is served on a connection that closes after it. No request fails because of it.
   */
  drain(): void {
    this.draining = true;
    for (const conn of this.idle.splice(0)) conn.destroy();
  }

  /** Whether `drain()` was called. */
  get isDraining(): boolean {
    return this.draining;
  }

  /** Changes the most connections to open (a config reload); waiting requests use new room at once. */
  setConnectionLimit(connections: number): void {
    this.limit = connections;
    while (!this.isClosed && this.waitingHead < this.waiting.length && this.open.size < this.limit) {
      const w = this.shiftWaiting();
      this.assign(w.head, w.opts, w.handler);
    }
  }

  /** Closes every connection; requests in flight or waiting fail with POOL_CLOSED. */
  async close(): Promise<void> {
    this.isClosed = true;
    if (this.sweeper) clearInterval(this.sweeper);
    this.sweeper = undefined;
    const err = new UpstreamSocketError('POOL_CLOSED', 'upstream pool closed');
    const waiting = this.waiting.slice(this.waitingHead);
    this.waiting = [];
    this.waitingHead = 0;
    for (const w of waiting) w.handler.onError(err);
    for (const conn of [...this.open]) conn.destroy(err);
    this.idle.length = 0;
  }

  /** @internal A connection finished a request: give it the next waiting one, or park it. */
  released(conn: UpstreamConnection): void {
    while (this.waitingHead < this.waiting.length) {
      const w = this.shiftWaiting();
      if (conn.send(w.head, w.opts, w.handler)) return;
    }
    if (this.draining) return conn.destroy();
    conn.idleSince = Date.now();
    this.idle.push(conn);
    if (!this.sweeper) {
      this.sweeper = setInterval(() => this.sweep(), SWEEP_MS);
      this.sweeper.unref();
    }
  }

  /** @internal */
  closed(conn: UpstreamConnection): void {
    if (!this.open.delete(conn)) return;
    const i = this.idle.indexOf(conn);
    if (i >= 0) this.idle.splice(i, 1);
    // A slot is free: the oldest waiting request gets a new connection.
    if (!this.isClosed && this.waitingHead < this.waiting.length) {
      const w = this.shiftWaiting();
      queueMicrotask(() => this.assign(w.head, w.opts, w.handler));
    }
  }

  /** @internal */
  resend(head: string, opts: UpstreamRequestOptions, handler: UpstreamHandler): void {
    if (this.isClosed) {
      handler.onError(new UpstreamSocketError('POOL_CLOSED', 'upstream pool closed'));
      return;
    }
    const conn = this.connect();
    if (!conn) {
      this.waiting.push({ head, opts, handler });
      return;
    }
    conn.send(head, opts, handler, true);
  }

  private assign(head: string, opts: UpstreamRequestOptions, handler: UpstreamHandler): void {
    if (this.isClosed) {
      handler.onError(new UpstreamSocketError('POOL_CLOSED', 'upstream pool closed'));
      return;
    }
    const now = Date.now();
    let conn: UpstreamConnection | undefined;
    while ((conn = this.idle.pop()) !== undefined) {
      if (conn.usable(now)) break;
      conn.destroy();
    }
    conn ??= this.connect();
    if (!conn) {
      this.waiting.push({ head, opts, handler });
      return;
    }
    if (!conn.send(head, opts, handler)) this.released(conn);
  }

  /** A new connection, or undefined at the limit. */
  private connect(): UpstreamConnection | undefined {
    if (this.open.size >= this.limit) return undefined;
    const conn = new UpstreamConnection(this, this.endpoint, this.keepAliveMs);
    this.open.add(conn);
    return conn;
  }

  private shiftWaiting(): Waiting {
    const w = this.waiting[this.waitingHead]!;
    this.waiting[this.waitingHead++] = undefined as unknown as Waiting;
    if (this.waitingHead === this.waiting.length) {
      this.waiting = [];
      this.waitingHead = 0;
    } else if (this.waitingHead >= 1024) {
      this.waiting = this.waiting.slice(this.waitingHead);
      this.waitingHead = 0;
    }
    return w;
  }

  /** Closes idle connections past their keep-alive limit; stops when none is idle. */
  private sweep(): void {
    const now = Date.now();
    for (const conn of [...this.idle]) if (!conn.usable(now)) conn.destroy();
    if (this.idle.length === 0 && this.sweeper) {
      clearInterval(this.sweeper);
      this.sweeper = undefined;
    }
  }
}
