/**
 * The proxied endpoints (chat, completions, embeddings) as stages on the hot path:
 * auth → parse → route → limits → cache → attempt (retry, failover, breaker) → stream back →
 * record. Errors thrown by any stage are translated once, in `finish`.
 */
import { NinesError, toNinesError } from '../core/errors.ts';
import type { RequestRecord } from '../store/types.ts';
import { cacheKey, isCacheable } from './cache.ts';
import { Cancellation } from './cancellation.ts';
import type { Deadline } from './deadlines.ts';
import { attemptWithFailover, breakerEvent, type AttemptStats } from './failover.ts';
import { readBody, sendError, sendJson } from './http-io.ts';
import { admit, authenticate, lookupKey, mayUse, presentedKey, type KeyRuntime } from './keys.ts';
import type { Endpoint, Usage } from './providers/types.ts';
import type { RouteRuntime } from './route.ts';
import type { GatewayState } from './state.ts';
import { streamBack } from './stream-back.ts';
import { parseRequest, promptText, redact } from './validate.ts';
import type { HttpRequestLike, HttpResponseLike } from './server/types.ts';

/** Auth stage, shared with /v1/models: the key, or undefined for anonymous access. */
export function authStage(gw: GatewayState, req: HttpRequestLike): KeyRuntime | undefined {
  const token = presentedKey(req.headers);
  if (gw.config.allowAnonymous) return token === undefined ? undefined : lookupKey(gw.keys, token);
  return authenticate(gw.keys, token);
}

function answerText(endpoint: Endpoint, body: Buffer): string | undefined {
  try {
    const j = JSON.parse(body.toString('utf8')) as {
      choices?: { message?: { content?: string }; text?: string }[];
    };
    if (endpoint === 'embeddings') return undefined;
    return j.choices?.[0]?.message?.content ?? j.choices?.[0]?.text;
  } catch {
    return undefined;
  }
}

const CANCEL = Symbol('nines.cancel');
type WithCancel = HttpResponseLike & { [CANCEL]?: Cancellation };

/** One listener for every response (no closure per request): the client went away first. */
function onResponseClose(this: WithCancel): void {
  if (!this.writableFinished) this[CANCEL]?.abort(new NinesError('UNAVAILABLE', 'client went away'));
}

/** Bodies up to this size are sent in the same write as the head. */
const ONE_WRITE_MAX = 16 * 1024;

/** Sends a non-streamed answer: one flat header list, one write. */
function sendAnswer(
  res: HttpResponseLike,
  status: number,
  body: Buffer,
  deployment: string,
  attempts: number,
  cache: string | undefined,
): void {
  const headers = [
    'content-type',
    'application/json',
    'content-length',
    String(body.length),
    'x-nines-deployment',
    deployment,
    'x-nines-attempts',
    String(attempts),
  ];
  if (cache !== undefined) headers.push('x-nines-cache', cache);
  res.writeHead(status, headers);
  // latin1 maps bytes 1:1: a small body goes out with the head as one string in one write.
  if (body.length <= ONE_WRITE_MAX) res.end(body.toString('latin1'), 'latin1');
  else res.end(body);
}

/** Handles one proxied request end to end. Never throws. */
export async function handleProxied(
  gw: GatewayState,
  endpoint: Endpoint,
  req: HttpRequestLike,
  res: HttpResponseLike,
): Promise<void> {
  const startedAt = gw.clock.now();
  const rec: RequestRecord = {
    id: gw.nextId(),
    at: startedAt,
    route: '',
    endpoint,
    status: 0,
    outcome: 'error',
    latencyMs: 0,
    attempts: 0,
    failovers: 0,
    stream: false,
    cached: false,
  };
  const stats: AttemptStats = { attempts: 0, failovers: 0, deployment: undefined };
  const abort = new Cancellation();
  let route: RouteRuntime | undefined;
  let key: KeyRuntime | undefined;
  let usage: Usage | undefined;
  (res as WithCancel)[CANCEL] = abort;
  res.on('close', onResponseClose);
  let deadline: Deadline | undefined;
  gw.active++;
  try {
    key = authStage(gw, req);
    if (key) rec.keyId = key.id;
    const raw = await readBody(req, gw.config.maxBodyBytes);
    const { body, model } = parseRequest(endpoint, raw);
    rec.route = model;
    rec.stream = body.stream === true;
    route = gw.routes.get(model);
    if (!route) {
      throw new NinesError(
        'NOT_FOUND',
        `The model \`${model}\` does not exist or you do not have access to it.`,
        {
          details: { code: 'model_not_found', param: 'model' },
        },
      );
    }
    if (key && !mayUse(key, model))
      throw new NinesError('FORBIDDEN', `key ${key.id} may not use model ${model}`, {
        details: { param: 'model' },
      });
    if (key) admit(key, startedAt);
    if (route.config.recordBodies) rec.prompt = redact(promptText(endpoint, body), route.redact);
    const cKey =
      route.cache && isCacheable(endpoint, body) ? cacheKey(endpoint, JSON.stringify(body)) : undefined;
    if (route.cache && cKey) {
      const hit = route.cache.get(cKey, startedAt);
      gw.metrics.cache.inc({ route: model, result: hit ? 'hit' : 'miss' });
      if (hit) {
        rec.cached = true;
        rec.deployment = hit.deployment;
        usage = { inputTokens: hit.inputTokens, outputTokens: hit.outputTokens };
        sendJson(res, hit.status, hit.body, { 'x-nines-cache': 'hit', 'x-nines-deployment': hit.deployment });
        rec.status = hit.status;
        rec.outcome = 'ok';
        return;
      }
    }
    const { deadlines } = route.config;
    deadline = gw.deadlines.add(deadlines.total, abort);
    const streamOptions = body.stream_options as { include_usage?: unknown } | undefined;
    const result = await attemptWithFailover(
      route,
      {
        endpoint,
        body,
        raw,
        publicModel: model,
        stream: rec.stream,
        includeUsage: streamOptions?.include_usage === true,
        keepText: route.config.recordBodies,
        attemptMs: deadlines.attempt,
        firstTokenMs: deadlines.firstToken,
        idleMs: deadlines.idle,
        signal: abort,
        deadlines: gw.deadlines,
      },
      startedAt,
      stats,
      gw.env,
    );
    const d = result.deployment;
    const out = result.outcome;
    if (out.kind === 'client-error') {
      throw new NinesError('VALIDATION', `${out.message} (from ${d.name})`, {
        details: { status: out.status },
      });
    }
    if (out.kind === 'json') {
      usage = out.usage;
      sendAnswer(res, out.status, out.body, d.name, result.attempts, cKey ? 'miss' : undefined);
      rec.status = out.status;
      rec.outcome = 'ok';
      if (route.config.recordBodies) rec.answer = redact(answerText(endpoint, out.body) ?? '', route.redact);
      if (route.cache && cKey) {
        route.cache.set(
          cKey,
          { status: out.status, body: out.body, ...usage, deployment: d.name },
          gw.clock.now(),
        );
      }
      return;
    }
    const headers: Record<string, string> = {
      'x-nines-deployment': d.name,
      'x-nines-attempts': String(result.attempts),
    };
    if (cKey) headers['x-nines-cache'] = 'miss';
    rec.ttftMs = result.firstByteAt;
    gw.metrics.ttft.observe(model, () => ({ route: model }), result.firstByteAt / 1000);
    const end = await streamBack(res, out.stream, headers, route.config.recordBodies, '');
    usage = end.usage;
    rec.status = 200;
    if (route.config.recordBodies) rec.answer = redact(end.text, route.redact);
    if (end.error) {
      rec.outcome = 'error';
      rec.errorType = 'stream_error';
      gw.metrics.streamErrors.inc({ route: model, deployment: d.name });
      breakerEvent(d, 'failure', route, gw.env);
    } else if (end.clientGone) {
      rec.outcome = 'error';
      rec.errorType = 'client_closed';
      rec.status = 499;
    } else rec.outcome = 'ok';
  } catch (err) {
    const e =
      abort.aborted && abort.reason instanceof NinesError && !(err instanceof NinesError)
        ? abort.reason
        : toNinesError(err);
    if (res.destroyed) {
      rec.status = 499;
      rec.errorType = 'client_closed';
    } else {
      const reply = sendError(res, e);
      rec.status = reply.status;
      rec.errorType = reply.type;
    }
    rec.outcome = 'error';
  } finally {
    if (deadline) gw.deadlines.cancel(deadline);
    res.off('close', onResponseClose);
    finish(gw, rec, stats, usage, key);
    gw.active--;
  }
}

/** Record stage: fills in the record, counts metrics and tokens, hands the record over. */
function finish(
  gw: GatewayState,
  rec: RequestRecord,
  stats: AttemptStats,
  usage: Usage | undefined,
  key: KeyRuntime | undefined,
): void {
  const now = gw.clock.now();
  rec.latencyMs = now - rec.at;
  rec.attempts = stats.attempts;
  rec.failovers = stats.failovers;
  const d = stats.deployment;
  if (d && !rec.cached) {
    rec.deployment = d.name;
    rec.provider = d.provider.name;
    rec.upstreamModel = d.config.model;
  }
  if (usage?.inputTokens !== undefined) rec.inputTokens = usage.inputTokens;
  if (usage?.outputTokens !== undefined) rec.outputTokens = usage.outputTokens;
  const m = gw.metrics;
  const route = rec.route || 'unknown';
  const endpoint = rec.endpoint;
  const status = String(rec.status);
  const deployment = rec.deployment ?? '';
  m.requestTally.add(
    `${route}\n${endpoint}\n${status}\n${deployment}`,
    () => ({ route, endpoint, status, deployment }),
    1,
  );
  m.latency.observe(`${route}\n${endpoint}`, () => ({ route, endpoint }), rec.latencyMs / 1000);
  const tokens = (rec.inputTokens ?? 0) + (rec.outputTokens ?? 0);
  if (tokens > 0 && !rec.cached) {
    if (rec.inputTokens)
      m.tokenTally.add(
        `${route}\n${deployment}\ni`,
        () => ({ route, deployment, kind: 'input' }),
        rec.inputTokens,
      );
    if (rec.outputTokens)
      m.tokenTally.add(
        `${route}\n${deployment}\no`,
        () => ({ route, deployment, kind: 'output' }),
        rec.outputTokens,
      );
  }
  if (key && tokens > 0) key.tokens.add(tokens, now);
  try {
    gw.recorder.record(rec);
  } catch {
    // a recorder must not break the request path
  }
}
