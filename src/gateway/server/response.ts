/**
 * One response of the gateway's own HTTP server. The head is held until the first body bytes
 * or `end`, so a small answer goes out as one write; a response without Content-Length is sent
 * chunked (HTTP/1.1) or delimited by closing the connection (HTTP/1.0).
 */
import { EventEmitter } from 'node:events';
import { STATUS_CODES } from 'node:http';
import type { Socket } from 'node:net';
import type { HeaderFields, HttpResponseLike } from './types.ts';

/** What a response tells its connection. */
export interface ResponseOwner {
  /** The response ended (all bytes written); `close`: the connection must close after it. */
  responseDone(res: GatewayServerResponse, close: boolean): void;
  /** The Connection and Keep-Alive fields of a response that keeps the connection, CRLF-ended. */
  readonly keepAliveFields: string;
}

const CRLF_IN_VALUE = /[\r\n]/;
let dateText = '';
let dateTimer: NodeJS.Timeout | undefined;

/** The Date field value, computed at most once a second. */
function httpDate(): string {
  if (dateText === '') {
    dateText = new Date().toUTCString();
    dateTimer = setTimeout(
      () => {
        dateText = '';
        dateTimer = undefined;
      },
      1000 - (Date.now() % 1000),
    );
    dateTimer.unref();
  }
  return dateText;
}

/** A response on one connection of the gateway's server. */
export class GatewayServerResponse extends EventEmitter implements HttpResponseLike {
  statusCode = 200;
  headersSent = false;
  writableEnded = false;
  writableFinished = false;
  private fields = '';
  private hasLength = false;
  private chunked = false;
  private closeAfter: boolean;
  private gone = false;

  /**
   * @param sock the connection's socket
   * @param owner told when the response is done
   * @param keepAlive the request allows another request on the connection
   * @param minor HTTP minor version of the request (0 or 1)
   * @param headOnly the request was HEAD: no body bytes are sent
   */
  constructor(
    private readonly sock: Socket,
    private readonly owner: ResponseOwner,
    keepAlive: boolean,
    private readonly minor: 0 | 1,
    private readonly headOnly: boolean,
  ) {
    super();
    this.closeAfter = !keepAlive;
  }

  /** True once the connection was closed (or the response ended on a closed one). */
  get destroyed(): boolean {
    return this.gone;
  }

  /** The socket while the connection is open and the response not finished; else null. */
  get socket(): Socket | null {
    return this.gone || this.writableFinished ? null : this.sock;
  }

  /** Sets the status and header fields; they are sent with the first body bytes. */
  writeHead(status: number, headers?: HeaderFields): this {
    if (this.headersSent) throw new Error('writeHead after the head was sent');
    this.statusCode = status;
    let text = '';
    if (headers !== undefined) {
      if (Array.isArray(headers)) {
        const list = headers;
        for (let i = 0; i + 1 < list.length; i += 2) text += this.field(list[i]!, list[i + 1]!);
      } else {
        for (const [name, value] of Object.entries(headers as Record<string, string | number | string[]>)) {
          if (Array.isArray(value)) for (const v of value) text += this.field(name, v);
          else text += this.field(name, String(value));
        }
      }
    }
    this.fields += text;
    return this;
  }

  private field(name: string, value: string): string {
    if (CRLF_IN_VALUE.test(value) || CRLF_IN_VALUE.test(name))
      throw new Error(`invalid character in header ${JSON.stringify(name)}`);
    const lower = name.length === 14 || name.length === 17 || name.length === 10 ? name.toLowerCase() : '';
    if (lower === 'content-length') this.hasLength = true;
    else if (lower === 'transfer-encoding')
      return ''; // the framing is this server's choice
    else if (lower === 'connection') {
      if (value.toLowerCase() === 'close') this.closeAfter = true;
      return '';
    }
    return `${name}: ${value}\r\n`;
  }

  /** The head as text; decides the framing of the body. */
  private head(bodyKnown: number | undefined): string {
    this.headersSent = true;
    let fields = this.fields;
    if (!this.hasLength && !this.headOnly && this.statusCode !== 204 && this.statusCode !== 304) {
      if (bodyKnown !== undefined) fields += `content-length: ${bodyKnown}\r\n`;
      else if (this.minor === 1) {
        this.chunked = true;
        fields += 'transfer-encoding: chunked\r\n';
      } else this.closeAfter = true;
    }
    fields += this.closeAfter ? 'connection: close\r\n' : this.owner.keepAliveFields;
    const reason = STATUS_CODES[this.statusCode] ?? 'Unknown';
    return `HTTP/1.${this.minor} ${this.statusCode} ${reason}\r\ndate: ${httpDate()}\r\n${fields}\r\n`;
  }

  /** Writes body bytes (the head first, if not sent yet); false means wait for `drain`. */
  write(chunk: string | Buffer): boolean {
    if (this.writableEnded) throw new Error('write after end');
    return this.send(chunk);
  }

  /** `write` without the ended check: `end` sends its last bytes through it. */
  private send(chunk: string | Buffer): boolean {
    if (this.gone) return true;
    const head = this.headersSent ? '' : this.head(undefined);
    if (this.headOnly || chunk.length === 0) return head === '' ? true : this.sock.write(head, 'latin1');
    if (this.chunked) {
      if (typeof chunk === 'string') {
        const size = Buffer.byteLength(chunk);
        return this.sock.write(`${head}${size.toString(16)}\r\n${chunk}\r\n`);
      }
      this.sock.cork();
      this.sock.write(`${head}${chunk.length.toString(16)}\r\n`, 'latin1');
      this.sock.write(chunk);
      const ok = this.sock.write('\r\n', 'latin1');
      this.sock.uncork();
      return ok;
    }
    if (head === '') return this.sock.write(chunk);
    if (typeof chunk === 'string') return this.sock.write(head + chunk);
    this.sock.cork();
    this.sock.write(head, 'latin1');
    const ok = this.sock.write(chunk);
    this.sock.uncork();
    return ok;
  }

  /** Ends the response, with last bytes if given (a string in `encoding`, utf8 by default). */
  end(chunk?: string | Buffer, encoding?: BufferEncoding): this {
    if (this.writableEnded) return this;
    this.writableEnded = true;
    if (!this.gone) {
      if (!this.headersSent) {
        const length =
          chunk === undefined
            ? 0
            : typeof chunk === 'string'
              ? Buffer.byteLength(chunk, encoding)
              : chunk.length;
        const head = this.head(length);
        if (chunk === undefined || length === 0 || this.headOnly) this.sock.write(head, 'latin1');
        else if (typeof chunk === 'string' && (encoding === 'latin1' || encoding === undefined))
          this.sock.write(head + chunk, encoding ?? 'utf8');
        else {
          this.sock.cork();
          this.sock.write(head, 'latin1');
          if (typeof chunk === 'string') this.sock.write(chunk, encoding);
          else this.sock.write(chunk);
          this.sock.uncork();
        }
      } else {
        if (chunk !== undefined && chunk.length > 0 && !this.headOnly) {
          if (this.chunked) this.send(typeof chunk === 'string' ? Buffer.from(chunk, encoding) : chunk);
          else if (typeof chunk === 'string') this.sock.write(chunk, encoding);
          else this.sock.write(chunk);
        }
        if (this.chunked && !this.headOnly) this.sock.write('0\r\n\r\n', 'latin1');
      }
    }
    this.writableFinished = true;
    this.owner.responseDone(this, this.closeAfter || this.gone);
    // On a connection already gone, `connectionClosed` emitted close: once is all.
    if (!this.gone) this.emit('close');
    return this;
  }

  /** @internal The connection closed: the response can send nothing more. */
  connectionClosed(): void {
    if (this.gone) return;
    this.gone = true;
    if (!this.writableFinished) this.emit('close');
  }

  /** @internal The socket drained: a writer waiting on `drain` may go on. */
  drained(): void {
    if (!this.writableEnded) this.emit('drain');
  }
}
