/** The `openai-embeddings` probe kind: POST {url}/embeddings and check the vector's shape. */
import type { ProbeKind } from '../facts.ts';
import { expectSuccess, joinUrl, postJson, ProbeFailure, readJson } from '../transport.ts';

/** Input embedded when a target gives none. */
export const DEFAULT_EMBEDDING_INPUT = 'nines probe';

/** Embeds a short input and reports the vector dimension (`embedding.dim`). */
export const probeOpenAiEmbeddings: ProbeKind = async (target, ctx) => {
  const body = { model: target.model, input: target.input ?? DEFAULT_EMBEDDING_INPUT };
  const res = await postJson(joinUrl(target.url, 'embeddings'), target.headers, body, ctx);
  await expectSuccess(res, ctx, 'embeddings');
  const { raw, json } = await readJson(res, ctx);
  const data = (json as { data?: unknown } | null)?.data;
  const embedding = Array.isArray(data)
    ? (data[0] as { embedding?: unknown } | undefined)?.embedding
    : undefined;
  if (
    !Array.isArray(embedding) ||
    embedding.length === 0 ||
    !embedding.every((x) => typeof x === 'number' && Number.isFinite(x))
  ) {
    throw new ProbeFailure('malformed', 'response has no data[0].embedding array of numbers', res.status);
  }
  return {
    status: res.status,
    headers: res.headers,
    ttfbMs: res.ttfbMs,
    rawBody: raw,
    json,
    embeddingDim: embedding.length,
  };
};
