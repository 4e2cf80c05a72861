/**
 * The sim's HTTP server: one node:http listener on loopback hosting simulated providers, each
 * under `/<name>/` (or one at the root), plus the `/_sim/` control endpoint. Per request it asks
 * the pure fault logic what goes wrong, then lets the provider's protocol answer.
 */
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import { systemClock, type Clock } from '../core/clock.ts';
import { NinesError } from '../core/errors.ts';
import { handleControl, type SimControl } from './control.ts';
import { decideFault } from './faults.ts';
import {
  parseFaultProfile,
  ProviderState,
  type ProviderFaultsView,
  type ProviderStats,
} from './provider-state.ts';
import type { CallContext, SimCall, SimReply } from './protocol.ts';
import { seededRandom, type RandomSource } from './random.ts';
import { CLEAN_PLAN, writeReply, type WritePlan } from './reply-writer.ts';
import { simConfigSchema, type FaultProfile, type SimProviderConfig } from '../config/sim.ts';
import { TimerSet } from './timers.ts';

/** Options of `startSimServer`. */
export interface SimServerOptions {
  providers: SimProviderConfig[];
  /** `'root'` serves the single provider at `/`; default `'prefix'` mounts each at `/<name>/`. */
  mount?: 'prefix' | 'root';
  /** Port to listen on; 0 (default) picks a free one. */
  port?: number;
  /** Interface to listen on; default 127.0.0.1. */
  host?: string;
  /** Clock for schedules, degradation and delays; default the system clock. */
  clock?: Clock;
  /** Random source for fault draws; default a generator seeded with `seed`, else `Math.random`. */
  random?: RandomSource;
  seed?: number;
  /** Largest request body accepted, in bytes; default 10 MiB. */
  maxBodyBytes?: number;
}

/** Request counters of every provider. */
export interface SimStats {
  providers: Record<string, ProviderStats>;
}

/** A running sim server. */
export interface SimServer {
  /** `http://127.0.0.1:<port>` without a trailing slash. */
  readonly url: string;
  readonly port: number;
  /** Names of the hosted providers. */
  readonly providers: readonly string[];
  /** Base URL of a provider as its client expects it (see `providerUrl`). */
  baseUrl(name: string): string;
  /** Replaces a provider's base fault profile (validated; throws VALIDATION / NOT_FOUND). */
  setFaults(name: string, faults: FaultProfile): void;
  /** Clears a provider's base fault profile (scheduled incidents still apply). */
  resetFaults(name: string): void;
  /** The faults of a provider now. */
  getFaults(name: string): ProviderFaultsView;
  /** Request counters per provider. */
  stats(): SimStats;
  /** Stops listening, cancels delays and closes every connection, hung ones included. */
  close(): Promise<void>;
}

const INVALID_JSON = Symbol('invalid-json');

function readBody(req: IncomingMessage, limit: number): Promise<unknown> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    req.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (size > limit) reject(new NinesError('PAYLOAD_TOO_LARGE', `request body over ${limit} bytes`));
      else chunks.push(chunk);
    });
    req.on('end', () => {
      if (size === 0) return resolve(undefined);
      try {
        resolve(JSON.parse(Buffer.concat(chunks).toString('utf8')));
      } catch {
        resolve(INVALID_JSON);
      }
    });
    req.on('error', reject);
  });
}

function sendJson(res: ServerResponse, status: number, body: unknown): void {
  const text = JSON.stringify(body);
  res.writeHead(status, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(text) });
  res.end(text);
}

/** Starts a sim server; the config is validated first (throws VALIDATION with the field path). */
export async function startSimServer(options: SimServerOptions): Promise<SimServer> {
  const parsed = simConfigSchema.safeParse({ providers: options.providers, mount: options.mount });
  if (!parsed.success) {
    const issue = parsed.error.issues[0]!;
    throw new NinesError('VALIDATION', `sim.${issue.path.join('.')}: ${issue.message}`);
  }
  const clock = options.clock ?? systemClock;
  const random = options.random ?? (options.seed !== undefined ? seededRandom(options.seed) : Math.random);
  const maxBody = options.maxBodyBytes ?? 10 * 1024 * 1024;
  const root = parsed.data.mount === 'root';
  const startedAt = clock.now();
  const states = new Map(parsed.data.providers.map((p) => [p.name, new ProviderState(p, startedAt)]));
  const only = root ? [...states.values()][0] : undefined;
  const timers = new TimerSet(clock);
  let idSeq = 0;
  const nextId = (): string => (++idSeq).toString(36);

  const stateOf = (name: string): ProviderState => {
    const state = states.get(name);
    if (!state) throw new NinesError('NOT_FOUND', `no simulated provider named ${name}`);
    return state;
  };

  const reply = (res: ServerResponse, state: ProviderState, r: SimReply, plan: WritePlan): void => {
    state.countStatus(r.type === 'json' ? r.status : 200);
    writeReply(res, r, plan, timers);
  };

  async function serveProvider(
    state: ProviderState,
    path: string,
    req: IncomingMessage,
    res: ServerResponse,
  ) {
    state.counters.requests++;
    const decision = decideFault(state.effective(clock.now()), random);
    state.countDecision(decision);
    if (decision.kind === 'refuse') return void req.socket.destroy();
    if (decision.kind === 'hang') return;
    const body = req.method === 'GET' || req.method === 'HEAD' ? undefined : await readBody(req, maxBody);
    const call: SimCall = { method: req.method ?? 'GET', path, headers: req.headers, body };
    const { protocol } = state;
    if (body === INVALID_JSON)
      return reply(res, state, protocol.errorReply(400, 'invalid JSON body'), CLEAN_PLAN);
    const denied = protocol.checkAccess(call, state.config);
    if (denied) return reply(res, state, denied, CLEAN_PLAN);
    const cancel = timers.after(decision.delayMs, () => {
      if (res.destroyed) return;
      switch (decision.kind) {
        case 'reset':
          return void req.socket.resetAndDestroy();
        case 'rateLimited': {
          const headers = { 'retry-after': String(decision.retryAfterS) };
          return reply(
            res,
            state,
            protocol.errorReply(429, 'Rate limit reached (simulated).', headers),
            CLEAN_PLAN,
          );
        }
        case 'error':
          return reply(
            res,
            state,
            protocol.errorReply(decision.status, 'Simulated upstream error.'),
            CLEAN_PLAN,
          );
        case 'serve': {
          const ctx: CallContext = {
            provider: state.config,
            now: clock.now(),
            wrongAnswer: decision.wrongAnswer,
            nextId,
          };
          return reply(res, state, protocol.handle(call, ctx), decision);
        }
      }
    });
    res.once('close', cancel);
  }

  async function serveControl(path: string, req: IncomingMessage, res: ServerResponse) {
    const body = req.method === 'PUT' || req.method === 'POST' ? await readBody(req, maxBody) : undefined;
    if (body === INVALID_JSON)
      return sendJson(res, 400, { error: { code: 'VALIDATION', message: 'invalid JSON body' } });
    const out = handleControl(control, req.method ?? 'GET', path, body);
    sendJson(res, out.status, out.body);
  }

  async function onRequest(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const raw = req.url ?? '/';
    const q = raw.indexOf('?');
    const path = q === -1 ? raw : raw.slice(0, q);
    if (path.startsWith('/_sim/')) return serveControl(path, req, res);
    if (only) return serveProvider(only, path, req, res);
    const slash = path.indexOf('/', 1);
    const name = decodeURIComponent(slash === -1 ? path.slice(1) : path.slice(1, slash));
    const state = states.get(name);
    if (!state) {
      return sendJson(res, 404, {
        error: { message: `no simulated provider at ${path}`, type: 'invalid_request_error' },
      });
    }
    return serveProvider(state, slash === -1 ? '/' : path.slice(slash), req, res);
  }

  const httpServer = createServer({ keepAliveTimeout: 5000 }, (req, res) => {
    onRequest(req, res).catch((err: unknown) => {
      if (res.headersSent) return void res.destroy();
      const e = err instanceof NinesError ? err : new NinesError('INTERNAL', String(err));
      sendJson(res, e.code === 'PAYLOAD_TOO_LARGE' ? 413 : 500, {
        error: { code: e.code, message: e.message },
      });
    });
  });
  const sockets = new Set<Socket>();
  httpServer.on('connection', (socket) => {
    sockets.add(socket);
    socket.once('close', () => sockets.delete(socket));
  });
  await new Promise<void>((resolve, reject) => {
    httpServer.once('error', reject);
    httpServer.listen(options.port ?? 0, options.host ?? '127.0.0.1', () => resolve());
  });
  const port = (httpServer.address() as AddressInfo).port;
  const host = options.host ?? '127.0.0.1';
  const url = `http://${host.includes(':') ? `[${host}]` : host}:${port}`;

  const baseUrl = (name: string): string => {
    const state = stateOf(name);
    const prefix = root ? url : `${url}/${encodeURIComponent(name)}`;
    return state.config.kind === 'openai' ? `${prefix}/v1` : prefix;
  };
  const stats = (): SimStats => ({
    providers: Object.fromEntries([...states].map(([name, s]) => [name, s.stats()])),
  });
  const control: SimControl = {
    providerNames: () => [...states.keys()],
    describe: (name) => ({ name, kind: stateOf(name).config.kind, baseUrl: baseUrl(name) }),
    getFaults: (name) => stateOf(name).view(clock.now()),
    setFaults: (name, faults) => stateOf(name).setFaults(parseFaultProfile(faults), clock.now()),
    resetFaults: (name) => stateOf(name).setFaults({}, clock.now()),
    stats,
  };

  let closing: Promise<void> | undefined;
  return {
    url,
    port,
    providers: [...states.keys()],
    baseUrl,
    setFaults: control.setFaults,
    resetFaults: control.resetFaults,
    getFaults: control.getFaults,
    stats,
    close() {
      closing ??= new Promise<void>((resolve) => {
        timers.cancelAll();
        httpServer.close(() => resolve());
        for (const socket of sockets) socket.destroy();
        httpServer.closeAllConnections();
      });
      return closing;
    },
  };
}

/**
 * The base URL a client library wants for provider `name`: for `openai` kind it ends in `/v1`
 * (what `new OpenAI({ baseURL })` takes); for `anthropic` and `kserve` it is the provider root
 * (the Anthropic SDK and KServe clients add `/v1/...` and `/v2/...` themselves).
 */
export function providerUrl(server: SimServer, name: string): string {
  return server.baseUrl(name);
}
