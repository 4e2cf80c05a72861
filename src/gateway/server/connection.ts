/**
 * One client connection of the gateway's own HTTP server: reads request heads and bodies
 * (Content-Length or chunked, `Expect: 100-continue` answered), hands each whole request to the
 * handler, and reads the next one (pipelined or kept alive) only after its response ended.
 * A malformed request gets an OpenAI-style error and the connection is closed.
 */
import type { IncomingHttpHeaders } from 'node:http';
import type { Socket } from 'node:net';
import { NinesError } from '../../core/errors.ts';
import { toOpenAIError } from '../errors.ts';
import {
  ChunkedDecoder,
  isHeadError,
  parseRequestHead,
  type HeadError,
  type RequestHead,
} from './head-parser.ts';
import { GatewayServerResponse, type ResponseOwner } from './response.ts';
import type { BufferedBody, HttpRequestLike } from './types.ts';

/** A request whose body was read before the handler ran. */
export class GatewayServerRequest implements HttpRequestLike, BufferedBody {
  /** True: the whole request was read (node:http's `complete`). */
  readonly complete = true;
  constructor(
    readonly method: string,
    readonly url: string,
    readonly headers: IncomingHttpHeaders,
    readonly httpVersion: string,
    readonly body: Buffer,
    readonly bodyError: NinesError | undefined,
  ) {}
}

/** Handles one request; must end the response. */
export type GatewayRequestHandler = (req: GatewayServerRequest, res: GatewayServerResponse) => void;

/** Limits and timeouts of the server, ms and bytes. */
export interface ServerLimits {
  /** Largest request head (request line and fields). */
  maxHeadBytes: number;
  /** Largest request body; larger ones are refused with 413 and the connection closed. */
  maxBodyBytes: number;
  /** Idle time after which a kept-alive connection is closed. */
  keepAliveMs: number;
  /** Longest time to receive a request head, and longest pause within a body. */
  requestMs: number;
}

const enum Phase {
  Head,
  Body,
  Chunked,
  Busy,
  Closed,
}

const HEAD_END = Buffer.from('\r\n\r\n');
const BARE_LF_END = Buffer.from('\n\n');

/** A client connection and its request/response cycle. */
export class GatewayServerConnection implements ResponseOwner {
  private readonly keepFields: string;
  private phase = Phase.Head;
  private buf: Buffer | undefined;
  private scanned = 0;
  private head: RequestHead | undefined;
  private parts: Buffer[] = [];
  private size = 0;
  private decoder: ChunkedDecoder | undefined;
  private response: GatewayServerResponse | undefined;
  private inLoop = false;
  /** Set once a body was refused: what still arrives of it is dropped. */
  private discard = false;
  /** Set when the server is closing: no request is read after the current one. */
  private lastRequest = false;
  /** When the current head or body started arriving, or the connection last went idle. */
  private since = Date.now();

  constructor(
    readonly socket: Socket,
    private readonly handler: GatewayRequestHandler,
    private readonly limits: ServerLimits,
    private readonly onGone: (c: GatewayServerConnection) => void,
  ) {
    // Clients (undici among them) stop reusing a connection before this hint runs out.
    this.keepFields = `connection: keep-alive\r\nkeep-alive: timeout=${Math.floor(limits.keepAliveMs / 1000)}\r\n`;
    socket.setNoDelay(true);
    socket.on('data', (d: Buffer) => this.onData(d));
    socket.on('drain', () => this.response?.drained());
    socket.on('end', () => this.peerEnded());
    socket.on('error', () => this.destroy());
    socket.on('close', () => this.closed());
  }

  /**
   * See `ResponseOwner.keepAliveFields`. Once the server is closing (`closeWhenDone`), the
   * answer in flight is the last one on this connection, so it says `connection: close` rather
   * than inviting the client to send another request that would find the connection gone.
   */
  get keepAliveFields(): string {
    return this.lastRequest ? 'connection: close\r\n' : this.keepFields;
  }

  /** Called by the server's sweep: closes an idle connection or a request that stalled. */
  sweep(now: number): void {
    if (this.phase === Phase.Head && this.buf === undefined) {
      if (now - this.since > this.limits.keepAliveMs) this.destroy();
    } else if (this.phase !== Phase.Busy && this.phase !== Phase.Closed) {
      if (now - this.since > this.limits.requestMs)
        this.refuse({ status: 408, message: 'the request did not arrive in time' });
    }
  }

  /** True while no request is being read or answered (a close may cut it without loss). */
  get idle(): boolean {
    return this.phase === Phase.Head && this.buf === undefined;
  }

  /** Closes the connection now when idle, else once the current answer ended. */
  closeWhenDone(): void {
    if (this.idle) this.destroy();
    else this.lastRequest = true;
  }

  /** Closes the connection at once. */
  destroy(): void {
    if (this.phase === Phase.Closed) return;
    this.socket.destroy();
    this.closed();
  }

  /**
   * The client ended its side: no request follows. A handler still working is cut (as node:http
   * does); otherwise the connection ends gracefully, so an answer still being flushed (a large
   * one the socket had not yet written) is not dropped, as `destroy` would.
   */
  private peerEnded(): void {
    if (this.phase === Phase.Closed) return;
    if (this.phase === Phase.Busy) return this.destroy();
    this.buf = undefined;
    this.parts = [];
    this.endGracefully();
  }

  /** Ends the connection after what was written is flushed (no more requests are read). */
  private endGracefully(): void {
    this.phase = Phase.Closed;
    this.socket.end();
    this.socket.destroySoon();
    this.onGone(this);
  }

  private closed(): void {
    if (this.phase === Phase.Closed) return;
    this.phase = Phase.Closed;
    this.buf = undefined;
    this.parts = [];
    const res = this.response;
    this.response = undefined;
    res?.connectionClosed();
    this.onGone(this);
  }

  private onData(chunk: Buffer): void {
    if (this.phase === Phase.Closed || this.discard) return;
    // Head: timed from its first byte; body: from the latest bytes.
    if (this.phase === Phase.Head ? this.buf === undefined : this.phase !== Phase.Busy)
      this.since = Date.now();
    if (this.buf === undefined) {
      this.buf = chunk;
      if (this.phase === Phase.Head) this.scanned = 0;
    } else this.buf = Buffer.concat([this.buf, chunk]);
    if (this.phase === Phase.Busy) {
      // A pipelined request waits for the current answer; don't buffer without bound meanwhile.
      if (this.buf.length > this.limits.maxHeadBytes + this.limits.maxBodyBytes) this.socket.pause();
      return;
    }
    this.advance();
  }

  /** Reads as far as the buffered bytes go; hands over a whole request. */
  private advance(): void {
    if (this.inLoop) return;
    this.inLoop = true;
    try {
      while (this.buf !== undefined && this.phase !== Phase.Busy && this.phase !== Phase.Closed) {
        // An unfinished head consumes nothing: stop until more bytes arrive (else this spins).
        if (this.phase === Phase.Head) {
          if (!this.readHead()) break;
        } else if (this.phase === Phase.Body) this.readBody();
        else this.readChunked();
      }
    } finally {
      this.inLoop = false;
    }
  }

  private take(n: number): Buffer {
    const buf = this.buf!;
    if (n >= buf.length) {
      this.buf = undefined;
      return buf;
    }
    this.buf = buf.subarray(n);
    return buf.subarray(0, n);
  }

  /** Reads a head if a whole one is buffered; false when it is not complete yet (nothing consumed). */
  private readHead(): boolean {
    const buf = this.buf!;
    const end = buf.indexOf(HEAD_END, Math.max(0, this.scanned - 3));
    if (end === -1) {
      this.scanned = buf.length;
      if (buf.length > this.limits.maxHeadBytes)
        this.refuse({ status: 431, message: `request head over ${this.limits.maxHeadBytes} bytes` });
      else if (buf.indexOf(BARE_LF_END) !== -1)
        this.refuse({ status: 400, message: 'request head lines must end with CRLF' });
      else return false;
      return true;
    }
    if (end > this.limits.maxHeadBytes) {
      this.refuse({ status: 431, message: `request head over ${this.limits.maxHeadBytes} bytes` });
      return true;
    }
    // Empty lines before a request line are ignored (RFC 9112 §2.2).
    let start = 0;
    while (start < end && buf[start] === 13 && buf[start + 1] === 10) start += 2;
    const parsed = parseRequestHead(buf.toString('latin1', start, end));
    this.take(end + 4);
    if (isHeadError(parsed)) {
      this.refuse(parsed);
      return true;
    }
    this.head = parsed;
    this.parts = [];
    this.size = 0;
    if (parsed.bodyLength > this.limits.maxBodyBytes) {
      this.dispatch(
        new NinesError(
          'PAYLOAD_TOO_LARGE',
          `request body of ${parsed.bodyLength} bytes is over the ${this.limits.maxBodyBytes} byte limit`,
        ),
      );
      return true;
    }
    if (parsed.expectContinue && parsed.bodyLength !== 0) this.socket.write('HTTP/1.1 100 Continue\r\n\r\n');
    if (parsed.bodyLength === 0) this.dispatch(undefined);
    else if (parsed.bodyLength > 0) this.phase = Phase.Body;
    else {
      this.phase = Phase.Chunked;
      this.decoder = new ChunkedDecoder((data) => {
        this.size += data.length;
        if (this.size <= this.limits.maxBodyBytes) this.parts.push(data);
      });
    }
    return true;
  }

  private readBody(): void {
    const want = this.head!.bodyLength - this.size;
    const got = this.take(want);
    this.parts.push(got);
    this.size += got.length;
    if (this.size === this.head!.bodyLength) this.dispatch(undefined);
  }

  private readChunked(): void {
    const step = this.decoder!.push(this.buf!);
    this.take(step.used);
    if (step.error) return this.refuse(step.error);
    if (this.size > this.limits.maxBodyBytes) {
      return this.dispatch(
        new NinesError(
          'PAYLOAD_TOO_LARGE',
          `request body is over the ${this.limits.maxBodyBytes} byte limit`,
        ),
      );
    }
    if (step.done) {
      this.decoder = undefined;
      this.dispatch(undefined);
    }
  }

  /** Runs the handler on the request read; `bodyError`: the body was refused (the connection closes after). */
  private dispatch(bodyError: NinesError | undefined): void {
    const head = this.head!;
    this.head = undefined;
    this.phase = Phase.Busy;
    // A refused body is handed over empty (BufferedBody.body), not as the part read before the limit.
    const parts = bodyError ? [] : this.parts;
    this.parts = [];
    const body = parts.length === 1 ? parts[0]! : parts.length === 0 ? EMPTY : Buffer.concat(parts);
    const keepAlive = head.keepAlive && bodyError === undefined;
    if (bodyError) {
      this.buf = undefined; // the rest of the refused body is not read
      this.discard = true;
    }
    const res = new GatewayServerResponse(this.socket, this, keepAlive, head.minor, head.method === 'HEAD');
    this.response = res;
    const req = new GatewayServerRequest(
      head.method,
      head.url,
      head.headers,
      head.minor === 1 ? '1.1' : '1.0',
      body,
      bodyError,
    );
    try {
      this.handler(req, res);
    } catch (err) {
      if (!res.headersSent) {
        const reply = toOpenAIError(new NinesError('INTERNAL', `handler failed: ${(err as Error).message}`));
        res.writeHead(reply.status, { 'content-type': 'application/json' });
        res.end(JSON.stringify(reply.body));
      } else if (!res.writableFinished) this.destroy(); // an answer already ended is let finish
    }
  }

  /** The response ended: close, or read the next request. */
  responseDone(res: GatewayServerResponse, close: boolean): void {
    if (res !== this.response) return;
    this.response = undefined;
    if (close || this.lastRequest) return this.endGracefully();
    this.phase = Phase.Head;
    this.since = Date.now();
    this.scanned = 0;
    if (this.socket.isPaused()) this.socket.resume();
    if (this.buf !== undefined) {
      if (this.inLoop) return; // the loop that ran the handler goes on
      queueMicrotask(() => this.advance());
    }
  }

  /** Answers a request that could not be read with an OpenAI-style error, then closes. */
  private refuse(e: HeadError): void {
    this.phase = Phase.Closed;
    this.buf = undefined;
    const reply = toOpenAIError(new NinesError('VALIDATION', e.message, { details: { status: e.status } }));
    const body = JSON.stringify(reply.body);
    const reason = e.status === 431 ? 'Request Header Fields Too Large' : 'Error';
    this.socket.end(
      `HTTP/1.1 ${e.status} ${reason}\r\ncontent-type: application/json\r\ncontent-length: ${Buffer.byteLength(body)}\r\nconnection: close\r\n\r\n${body}`,
    );
    this.socket.destroySoon();
    this.onGone(this);
  }
}

const EMPTY = Buffer.alloc(0);
