/**
 * Cross-field checks that a schema alone cannot express: unique names, timeouts shorter than
 * intervals, the fields each probe kind needs. Each problem carries the path it is about.
 */
import { formatDuration } from '../core/duration.ts';
import { malformedEnvRef } from './env-refs.ts';
import type { Config, Target } from './resolve.ts';
import type { ConfigInput } from './schema.ts';
import { checkStatusPageTargets } from './status-pages.ts';

/** A problem found in a config, located by its path (`targets[2].timeout`). */
export interface PathProblem {
  path: (string | number)[];
  message: string;
}

const NEEDS_MODEL = new Set(['openai-chat', 'openai-embeddings', 'anthropic-messages', 'kserve-v2']);
const HTTP_KINDS = new Set(['http', 'openai-chat', 'openai-embeddings', 'anthropic-messages', 'kserve-v2']);

function checkUrl(t: Target, at: (string | number)[]): PathProblem | undefined {
  const bad = malformedEnvRef(t.url);
  if (bad) return { path: [...at, 'url'], message: bad };
  if (t.url.includes('${')) return undefined;
  if (HTTP_KINDS.has(t.kind)) {
    if (!/^https?:\/\/[^/\s]+/.test(t.url))
      return { path: [...at, 'url'], message: `"${t.url}" is not an http(s) URL` };
    return undefined;
  }
  const hostPort = t.url.replace(/^(tcp|tls|https):\/\//, '').replace(/\/.*$/, '');
  const needsPort = t.kind === 'tcp' || !t.url.startsWith('https://');
  if (needsPort && !/^(\[[0-9a-fA-F:]+\]|[^:\s]+):\d{1,5}$/.test(hostPort)) {
    return {
      path: [...at, 'url'],
      message: `"${t.url}" must be host:port (e.g. ${t.kind}://db.internal:5432)`,
    };
  }
  return undefined;
}

function timeoutPath(input: ConfigInput, i: number): (string | number)[] {
  const raw = input.targets[i];
  if (raw?.timeout !== undefined) return ['targets', i, 'timeout'];
  if (raw?.interval !== undefined) return ['targets', i, 'interval'];
  return input.defaults.timeout !== undefined ? ['defaults', 'timeout'] : ['targets', i];
}

function checkTarget(t: Target, i: number, input: ConfigInput): PathProblem[] {
  const at = ['targets', i];
  const problems: PathProblem[] = [];
  if (t.timeout > t.interval) {
    problems.push({
      path: timeoutPath(input, i),
      message: `${formatDuration(t.timeout)} is longer than interval ${formatDuration(t.interval)}`,
    });
  }
  if (NEEDS_MODEL.has(t.kind) && !t.model) {
    problems.push({ path: [...at, 'model'], message: `kind ${t.kind} needs a model` });
  }
  if (t.dimension !== undefined && t.kind !== 'openai-embeddings') {
    problems.push({
      path: [...at, 'dimension'],
      message: `dimension applies only to openai-embeddings, not ${t.kind}`,
    });
  }
  if (t.stream !== undefined && t.kind !== 'openai-chat' && t.kind !== 'anthropic-messages') {
    problems.push({
      path: [...at, 'stream'],
      message: `stream applies only to openai-chat and anthropic-messages`,
    });
  }
  const urlProblem = checkUrl(t, at);
  if (urlProblem) problems.push(urlProblem);
  for (const [k, v] of Object.entries(t.headers)) {
    const bad = malformedEnvRef(v);
    if (bad) problems.push({ path: [...at, 'headers', k], message: bad });
  }
  return problems;
}

/** Runs every cross-field check; an empty list means the config is consistent. */
export function crossFieldChecks(input: ConfigInput, config: Config): PathProblem[] {
  const problems: PathProblem[] = [];
  const seen = new Map<string, number>();
  config.targets.forEach((t, i) => {
    const first = seen.get(t.name);
    if (first !== undefined) {
      problems.push({
        path: ['targets', i, 'name'],
        message: `duplicate target name "${t.name}" (first at targets[${first}])`,
      });
    } else seen.set(t.name, i);
    problems.push(...checkTarget(t, i, input));
  });
  problems.push(...checkStatusPageTargets(config.statusPages, new Set(config.targets.map((t) => t.name))));
  const tokenNames = new Set<string>();
  config.auth.tokens.forEach((tok, i) => {
    if (tokenNames.has(tok.name))
      problems.push({ path: ['auth', 'tokens', i, 'name'], message: `duplicate token name "${tok.name}"` });
    tokenNames.add(tok.name);
  });
  return problems;
}
