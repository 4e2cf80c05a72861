/**
 * Deterministic embeddings: the same model and text always give the same unit vector, of the
 * size the real model has (1536 for text-embedding-3-small), so callers can check dimensions
 * and similarity without a model.
 */

const DEFAULT_DIMS: Record<string, number> = {
  'text-embedding-3-small': 1536,
  'text-embedding-3-large': 3072,
  'text-embedding-ada-002': 1536,
};

/** Vector size for `model`: the override, the real model's size, or 768. */
export function embeddingDimensions(model: string, overrides?: Record<string, number>): number {
  return overrides?.[model] ?? DEFAULT_DIMS[model] ?? 768;
}

/** True when a model name looks like an embedding model (`*embed*`). */
export function isEmbeddingModel(model: string): boolean {
  return /embed/i.test(model);
}

function fnv1a(text: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < text.length; i++) {
    h ^= text.charCodeAt(i);
    h = Math.imul(h, 0x01000193);
  }
  return h >>> 0;
}

/** A deterministic unit-length vector for `text` under `model`. */
export function embedText(model: string, text: string, dims: number): Float32Array {
  const out = new Float32Array(dims);
  let state = fnv1a(`${model}\u0000${text}`) || 1;
  let norm = 0;
  for (let i = 0; i < dims; i++) {
    // xorshift32: cheap and good enough for spreading values.
    state ^= state << 13;
    state ^= state >>> 17;
    state ^= state << 5;
    const v = (state >>> 0) / 4294967296 - 0.5;
    out[i] = v;
    norm += v * v;
  }
  const scale = norm > 0 ? 1 / Math.sqrt(norm) : 0;
  for (let i = 0; i < dims; i++) out[i] = out[i]! * scale;
  return out;
}

/** The vector as OpenAI's `encoding_format: 'base64'` sends it: little-endian float32 bytes. */
export function encodeBase64(vector: Float32Array): string {
  return Buffer.from(vector.buffer, vector.byteOffset, vector.byteLength).toString('base64');
}
