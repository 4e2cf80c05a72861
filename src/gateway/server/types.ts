/**
 * The request and response the gateway's handlers use: the small part of node:http's
 * IncomingMessage and ServerResponse they need, so the same handler serves the gateway's own
 * server (`server.ts`) and a node:http server one mounts it on.
 */
import type { IncomingHttpHeaders } from 'node:http';
import type { NinesError } from '../../core/errors.ts';

/** An HTTP request as the gateway reads it. */
export interface HttpRequestLike {
  readonly method?: string | undefined;
  /** Path and query as sent. */
  readonly url?: string | undefined;
  /** Lower-case names. */
  readonly headers: IncomingHttpHeaders;
}

/** A request whose body the server has already read (the gateway's own server). */
export interface BufferedBody {
  /** The whole body (empty when there was none or it was refused). */
  readonly body: Buffer;
  /** Set when the body was refused (too large, broken framing): reading it throws this. */
  readonly bodyError: NinesError | undefined;
}

/** Header fields for `writeHead`: an object, or a flat `[name, value, ...]` list. */
export type HeaderFields = Record<string, string | number | string[]> | string[];

/** An HTTP response as the gateway writes it. */
export interface HttpResponseLike {
  /** Sets the status and header fields; they are sent with the first body bytes. */
  writeHead(status: number, headers?: HeaderFields): unknown;
  /** Writes body bytes; false means wait for `drain`. */
  write(chunk: string | Buffer): boolean;
  /** Ends the response, with last bytes if given. */
  end(chunk?: string | Buffer, encoding?: BufferEncoding): unknown;
  on(event: 'close' | 'drain', listener: () => void): unknown;
  off(event: 'close' | 'drain', listener: () => void): unknown;
  readonly headersSent: boolean;
  /** True once the connection was closed or destroyed. */
  readonly destroyed: boolean;
  /** True once `end` was called. */
  readonly writableEnded: boolean;
  /** True once the whole response was handed to the operating system. */
  readonly writableFinished: boolean;
  /** The connection; null once it is gone. */
  readonly socket: unknown;
}
