/**
 * The provider adapter interface: how one upstream protocol is spoken. Every adapter turns an
 * OpenAI-shaped request into its upstream request, and the upstream answer (JSON or SSE) back
 * into OpenAI shape, reporting what the gateway needs: first content token, usage, end, errors.
 */

/** The OpenAI endpoints the gateway proxies (models is answered locally). */
export type Endpoint = 'chat' | 'completions' | 'embeddings';

/** A provider with its secrets expanded (never logged, never recorded). */
export interface ResolvedProvider {
  name: string;
  kind: 'openai' | 'anthropic';
  origin: string;
  /** Path prefix of the base URL, without a trailing slash (`/v1` for OpenAI). */
  basePath: string;
  apiKey: string | undefined;
  headers: Record<string, string>;
  /** OpenAI kind: request usage in streams even when the client did not (see config). */
  streamUsage: boolean;
}

/** The request to send upstream. */
export interface UpstreamRequest {
  path: string;
  headers: Record<string, string>;
  body: string | Buffer;
}

/** Token counts reported by the upstream. */
export interface Usage {
  inputTokens?: number;
  outputTokens?: number;
}

/** What one chunk of an upstream stream meant. */
export interface StreamStep {
  /** What to forward to the client (whole SSE frames, in OpenAI shape; bytes when passed through). */
  out: string | Buffer;
  /** True once any content (text, tool call) has been seen in this chunk. */
  content: boolean;
  /** The generated text in this chunk (for records that keep answers). */
  text: string;
  usage?: Usage;
  /** True when the stream's end marker was seen. */
  done: boolean;
  /** Set when the upstream sent an error event or a frame that does not parse. */
  error?: string;
}

/** Translates one upstream stream, chunk by chunk. */
export interface StreamTranslator {
  push(chunk: Buffer): StreamStep;
}

/** One upstream protocol. */
export interface ProviderAdapter {
  /**
   * Builds the upstream request; throws VALIDATION when the endpoint is not supported. `raw` is
   * the client's body as received (`body` parsed), for adapters that can send it on unchanged.
   */
  request(
    endpoint: Endpoint,
    body: Record<string, unknown>,
    upstreamModel: string,
    provider: ResolvedProvider,
    raw?: Buffer,
  ): UpstreamRequest;
  /**
   * A successful non-streamed answer in OpenAI shape, with its usage; throws UPSTREAM if malformed.
   * `request`: the client's parsed body, for adapters whose answer depends on it.
   */
  response(
    endpoint: Endpoint,
    raw: Buffer,
    publicModel: string,
    request?: Record<string, unknown>,
  ): { body: Buffer; usage: Usage };
  /** The message of an upstream error body (for the OpenAI-style error the client gets). */
  errorMessage(raw: Buffer): string | undefined;
  /**
   * A translator for a streamed answer. `includeUsage`: the client asked for the usage chunk
   * (otherwise one requested by the gateway is dropped); `keepText` when the text is recorded;
   * `request`: the client's parsed body, for adapters whose stream depends on it.
   */
  stream(
    endpoint: Endpoint,
    publicModel: string,
    includeUsage: boolean,
    keepText: boolean,
    request?: Record<string, unknown>,
  ): StreamTranslator;
}
