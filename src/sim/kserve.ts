/**
 * The Open Inference Protocol v2 (KServe, Triton, Seldon): health, model readiness and metadata,
 * and `infer`. Inference is a checkable echo: every input tensor comes back as `output<i>` with
 * the same shape and datatype, numbers doubled, strings upper-cased, booleans negated.
 */
import { asObject, bearerToken, type CallContext, type SimProtocol, type SimReply } from './protocol.ts';

/** A KServe v2 error reply: `{error: message}`. */
export function kserveError(status: number, message: string, headers?: Record<string, string>): SimReply {
  return headers
    ? { type: 'json', status, body: { error: message }, headers }
    : { type: 'json', status, body: { error: message } };
}

const ok = (body: unknown): SimReply => ({ type: 'json', status: 200, body });

function metadata(name: string): unknown {
  return {
    name,
    versions: ['1'],
    platform: 'nines-sim',
    inputs: [{ name: 'input0', datatype: 'FP32', shape: [-1, -1] }],
    outputs: [{ name: 'output0', datatype: 'FP32', shape: [-1, -1] }],
  };
}

function transform(value: unknown, datatype: string, wrong: boolean): unknown {
  if (datatype === 'BYTES')
    return typeof value === 'string' ? (wrong ? value.toLowerCase() : value.toUpperCase()) : value;
  if (datatype === 'BOOL') return wrong ? value : !value;
  if (typeof value === 'number') return value * 2 + (wrong ? 1 : 0);
  return value;
}

function infer(model: string, rawBody: unknown, ctx: CallContext): SimReply {
  const body = asObject(rawBody);
  if (!body || !Array.isArray(body.inputs) || body.inputs.length === 0) {
    return kserveError(400, "request must have a non-empty 'inputs' array");
  }
  const requested = Array.isArray(body.outputs) ? body.outputs.map((o) => asObject(o)?.name) : [];
  const outputs: unknown[] = [];
  for (const [i, raw] of body.inputs.entries()) {
    const input = asObject(raw);
    if (!input || typeof input.name !== 'string' || typeof input.datatype !== 'string') {
      return kserveError(400, `inputs[${i}] must have a name and a datatype`);
    }
    const shape = input.shape;
    if (!Array.isArray(shape) || !shape.every((d) => Number.isInteger(d) && d >= 0)) {
      return kserveError(400, `inputs[${i}].shape must be an array of non-negative integers`);
    }
    if (!Array.isArray(input.data)) return kserveError(400, `inputs[${i}].data must be an array`);
    const data = (input.data as unknown[]).flat(Infinity);
    const expected = (shape as number[]).reduce((a, b) => a * b, 1);
    if (data.length !== expected) {
      return kserveError(
        400,
        `inputs[${i}] has ${data.length} values but shape [${shape.join(', ')}] needs ${expected}`,
      );
    }
    const name = typeof requested[i] === 'string' ? (requested[i] as string) : `output${i}`;
    const datatype = input.datatype;
    outputs.push({ name, datatype, shape, data: data.map((v) => transform(v, datatype, ctx.wrongAnswer)) });
  }
  const reply: Record<string, unknown> = { model_name: model, model_version: '1', outputs };
  if (typeof body.id === 'string') reply.id = body.id;
  return ok(reply);
}

/** The KServe / Open Inference Protocol v2. */
export const kserveProtocol: SimProtocol = {
  checkAccess(call, provider) {
    if (provider.apiKey === undefined || bearerToken(call.headers) === provider.apiKey) return undefined;
    return kserveError(401, 'unauthorized');
  },
  handle(call, ctx) {
    const { method, path } = call;
    if (method === 'GET' && path === '/v2')
      return ok({ name: ctx.provider.name, version: '2', extensions: [] });
    if (method === 'GET' && path === '/v2/health/live') return ok({ live: true });
    if (method === 'GET' && path === '/v2/health/ready') return ok({ ready: true });
    const m = /^\/v2\/models\/([^/]+)(?:\/versions\/([^/]+))?(\/ready|\/infer)?$/.exec(path);
    if (!m) return kserveError(404, `not found: ${method} ${path}`);
    const model = decodeURIComponent(m[1]!);
    if (!ctx.provider.models.includes(model)) return kserveError(404, `model ${model} not found`);
    if (m[2] !== undefined && m[2] !== '1')
      return kserveError(404, `model ${model} version ${m[2]} not found`);
    const action = m[3];
    if (action === '/ready' && method === 'GET') return ok({ name: model, ready: true });
    if (action === undefined && method === 'GET') return ok(metadata(model));
    if (action === '/infer' && method === 'POST') return infer(model, call.body, ctx);
    return kserveError(405, `method ${method} not allowed on ${path}`);
  },
  errorReply: (status, message, headers) => kserveError(status, message, headers),
};
