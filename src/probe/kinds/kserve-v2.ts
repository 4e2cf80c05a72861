/**
 * The `kserve-v2` probe kind (Open Inference Protocol): server ready, model ready, then one
 * inference; the step that fails is named in the error.
 */
import type { ProbeKind } from '../facts.ts';
import {
  expectSuccess,
  joinUrl,
  postJson,
  ProbeFailure,
  readBodyCapped,
  readJson,
  sendRequest,
} from '../transport.ts';

/** The inference request sent when a target gives none: one small FP32 tensor. */
export const DEFAULT_INFER_REQUEST = {
  inputs: [{ name: 'input0', shape: [1, 4], datatype: 'FP32', data: [1, 2, 3, 4] }],
};

/** Checks readiness and runs one inference; reports the infer step's status and timings. */
export const probeKserveV2: ProbeKind = async (target, ctx) => {
  const model = encodeURIComponent(target.model ?? '');
  const steps = [
    ['server ready', joinUrl(target.url, 'v2/health/ready')],
    ['model ready', joinUrl(target.url, `v2/models/${model}/ready`)],
  ] as const;
  for (const [what, url] of steps) {
    const res = await sendRequest({ url, method: 'GET', headers: target.headers }, ctx);
    await expectSuccess(res, ctx, what);
    await readBodyCapped(res, { ...ctx, maxBodyBytes: Math.min(ctx.maxBodyBytes, 64 * 1024) });
  }
  const res = await postJson(
    joinUrl(target.url, `v2/models/${model}/infer`),
    target.headers,
    target.inferRequest ?? DEFAULT_INFER_REQUEST,
    ctx,
  );
  await expectSuccess(res, ctx, 'infer');
  const { raw, json } = await readJson(res, ctx);
  const outputs = (json as { outputs?: unknown } | null)?.outputs;
  if (!Array.isArray(outputs) || outputs.length === 0) {
    throw new ProbeFailure('malformed', 'infer: response has no outputs array', res.status);
  }
  return { status: res.status, headers: res.headers, ttfbMs: res.ttfbMs, rawBody: raw, json };
};
