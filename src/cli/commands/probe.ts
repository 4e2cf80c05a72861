/**
 * `nines probe`: runs one probe from the command line and prints its result as JSON.
 *
 *   nines probe --kind openai-chat --url URL --model M [--stream] [--timeout 10s]
 *               [--header 'K: V']... [--assert 'expr']... [--name N] [--prompt P] [--dimension N]
 *
 * Exit 0 when the probe is ok or degraded, 1 when it failed, 2 on a usage error.
 */
import { parseArgs } from 'node:util';
import { BUILTIN_PROBE_DEFAULTS, type Target } from '../../config/resolve.ts';
import { targetSchema } from '../../config/targets.ts';
import type { ProbeResult } from '../../store/types.ts';
import { runProbe } from '../../probe/run-probe.ts';
import { println } from '../io.ts';

const USAGE =
  "usage: nines probe --kind KIND --url URL [--model M] [--stream] [--timeout 10s] [--header 'K: V']... [--assert 'expr']...\n" +
  '  kinds: http, openai-chat, openai-embeddings, anthropic-messages, kserve-v2, tcp, tls';

function parseHeaders(list: string[]): Record<string, string> | string {
  const headers: Record<string, string> = {};
  for (const h of list) {
    const i = h.indexOf(':');
    if (i <= 0) return `bad --header "${h}" (use 'Name: value')`;
    headers[h.slice(0, i).trim()] = h.slice(i + 1).trim();
  }
  return headers;
}

/** The result with snake_case keys, as the command prints it. */
export function resultToJson(r: ProbeResult): Record<string, unknown> {
  const out: Record<string, unknown> = {
    ok: r.outcome !== 'failed',
    outcome: r.outcome,
    target: r.target,
    status: r.status ?? null,
    latency_ms: r.latencyMs,
    ttfb_ms: r.timings.ttfbMs ?? null,
    ttft_ms: r.timings.ttftMs ?? null,
    connect_ms: r.timings.connectMs ?? null,
    tls_ms: r.timings.tlsMs ?? null,
    tokens_per_s: r.tokensPerSec ?? null,
    output_tokens: r.outputTokens ?? null,
    cert_days_left: r.certDaysLeft ?? null,
    error_class: r.errorClass ?? null,
    error: r.error ?? null,
    assertions: r.assertions ?? [],
  };
  return out;
}

function buildTarget(argv: string[]): Target | string {
  let values;
  try {
    ({ values } = parseArgs({
      args: argv,
      strict: true,
      allowPositionals: false,
      options: {
        kind: { type: 'string' },
        url: { type: 'string' },
        model: { type: 'string' },
        name: { type: 'string', default: 'cli' },
        stream: { type: 'boolean' },
        timeout: { type: 'string' },
        header: { type: 'string', multiple: true, default: [] },
        assert: { type: 'string', multiple: true, default: [] },
        method: { type: 'string' },
        body: { type: 'string' },
        prompt: { type: 'string' },
        'max-tokens': { type: 'string' },
        input: { type: 'string' },
        dimension: { type: 'string' },
        'max-body-bytes': { type: 'string' },
      },
    }));
  } catch (err) {
    return (err as Error).message;
  }
  if (!values.kind || !values.url) return 'missing --kind or --url';
  const headers = parseHeaders(values.header);
  if (typeof headers === 'string') return headers;
  const num = (v: string | undefined) => (v === undefined ? undefined : Number(v));
  const input: Record<string, unknown> = {
    name: values.name,
    kind: values.kind,
    url: values.url,
    headers,
    assertions: values.assert,
    model: values.model,
    stream: values.stream,
    timeout: values.timeout,
    method: values.method?.toUpperCase(),
    body: values.body,
    prompt: values.prompt,
    maxTokens: num(values['max-tokens']),
    input: values.input,
    dimension: num(values.dimension),
    maxBodyBytes: num(values['max-body-bytes']),
  };
  for (const k of Object.keys(input)) if (input[k] === undefined) delete input[k];
  const parsed = targetSchema.safeParse(input);
  if (!parsed.success) {
    return parsed.error.issues.map((i) => `--${String(i.path[0] ?? 'argument')}: ${i.message}`).join('\n');
  }
  const t = parsed.data;
  const timeout = t.timeout ?? BUILTIN_PROBE_DEFAULTS.timeout;
  return {
    ...t,
    timeout,
    interval: Math.max(timeout, t.interval ?? BUILTIN_PROBE_DEFAULTS.interval),
    failureThreshold: t.failureThreshold ?? BUILTIN_PROBE_DEFAULTS.failureThreshold,
    successThreshold: t.successThreshold ?? BUILTIN_PROBE_DEFAULTS.successThreshold,
    maxBodyBytes: t.maxBodyBytes ?? BUILTIN_PROBE_DEFAULTS.maxBodyBytes,
  };
}

/** Runs `nines probe ...`; returns the exit code. */
export async function runProbeCommand(
  argv: string[],
  io: { stdout: NodeJS.WritableStream; stderr: NodeJS.WritableStream },
): Promise<number> {
  if (argv.includes('--help') || argv.includes('-h')) {
    println(io.stdout, USAGE);
    return 0;
  }
  const target = buildTarget(argv);
  if (typeof target === 'string') {
    println(io.stderr, `nines probe: ${target}`);
    println(io.stderr, USAGE);
    return 2;
  }
  const result = await runProbe(target);
  println(io.stdout, JSON.stringify(resultToJson(result), null, 2));
  return result.outcome === 'failed' ? 1 : 0;
}
