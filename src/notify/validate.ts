/**
 * Receiver validation with path-located problems, for the config loader's cross-field checks:
 * `receivers[1].pagerduty_configs[0].routing_key: required`.
 */
import { NinesError } from '../core/errors.ts';
import { CHANNEL_KEYS, receiverConfigSchema, type ReceiverConfig } from './channel-config.ts';
import { expandEnv } from './template.ts';

/** One problem found in a receiver config. */
export interface ConfigProblem {
  /** Dotted path from the config root, e.g. `receivers[1].slack_configs[0].api_url`. */
  path: string;
  message: string;
}

/** Options for `validateReceiver`. */
export interface ValidateOptions {
  /** Path prefix of this receiver in the file; default `receiver`. */
  path?: string;
  /** When given, `${NAME}` references that this environment lacks are reported. */
  env?: Record<string, string | undefined>;
}

/** Formats a zod-style path (`['a', 0, 'b']`) after a prefix: `prefix.a[0].b`. */
export function formatPath(prefix: string, segments: readonly PropertyKey[]): string {
  let out = prefix;
  for (const s of segments)
    out += typeof s === 'number' ? `[${s}]` : out === '' ? String(s) : `.${String(s)}`;
  return out;
}

/** Validates one receiver (name + channel configs); returns every problem, empty when valid. */
export function validateReceiver(config: unknown, options: ValidateOptions = {}): ConfigProblem[] {
  const prefix = options.path ?? 'receiver';
  const parsed = receiverConfigSchema.safeParse(config);
  const problems: ConfigProblem[] = [];
  if (!parsed.success) {
    for (const issue of parsed.error.issues) {
      if (issue.code === 'unrecognized_keys') {
        for (const key of issue.keys) {
          problems.push({ path: formatPath(prefix, [...issue.path, key]), message: 'unknown field' });
        }
        continue;
      }
      const missing = issue.code === 'invalid_type' && /received undefined/.test(issue.message);
      problems.push({ path: formatPath(prefix, issue.path), message: missing ? 'required' : issue.message });
    }
    return problems;
  }
  if (options.env) problems.push(...missingEnvRefs(parsed.data, prefix, options.env));
  const channels = CHANNEL_KEYS.reduce((n, k) => n + (parsed.data[k]?.length ?? 0), 0);
  if (channels === 0)
    problems.push({
      path: prefix,
      message: `has no channel configs (add one of ${CHANNEL_KEYS.join(', ')})`,
    });
  return problems;
}

/**
 * Validates a list of receivers as found at `path` in the config (default `receivers`), adding
 * a problem for duplicate names. For the config loader's cross-field checks.
 */
export function validateReceivers(
  receivers: readonly unknown[],
  options: { path?: string; env?: Record<string, string | undefined> } = {},
): ConfigProblem[] {
  const prefix = options.path ?? 'receivers';
  const seen = new Map<string, number>();
  return receivers.flatMap((r, i) => {
    const problems = validateReceiver(r, { path: `${prefix}[${i}]`, env: options.env });
    const name = (r as { name?: unknown } | null)?.name;
    if (typeof name === 'string') {
      const first = seen.get(name);
      if (first !== undefined) {
        problems.push({
          path: `${prefix}[${i}].name`,
          message: `duplicate receiver name "${name}" (also ${prefix}[${first}])`,
        });
      } else seen.set(name, i);
    }
    return problems;
  });
}

function missingEnvRefs(
  receiver: ReceiverConfig,
  prefix: string,
  env: Record<string, string | undefined>,
): ConfigProblem[] {
  const problems: ConfigProblem[] = [];
  const walk = (value: unknown, path: PropertyKey[]): void => {
    if (typeof value === 'string') {
      for (const name of expandEnv(value, env).missing) {
        problems.push({ path: formatPath(prefix, path), message: `environment variable ${name} is not set` });
      }
    } else if (Array.isArray(value)) value.forEach((v, i) => walk(v, [...path, i]));
    else if (value && typeof value === 'object')
      for (const [k, v] of Object.entries(value)) walk(v, [...path, k]);
  };
  walk(receiver, []);
  return problems;
}

/**
 * Parses a receiver, expanding `${NAME}` references from `env`; throws a VALIDATION NinesError
 * listing every problem (one per line) when the config is not valid.
 */
export function parseReceiver(
  config: unknown,
  options: ValidateOptions & { env: Record<string, string | undefined> },
): ReceiverConfig {
  const problems = validateReceiver(config, options);
  if (problems.length > 0) {
    throw new NinesError('VALIDATION', problems.map((p) => `${p.path}: ${p.message}`).join('\n'), {
      details: { problems },
    });
  }
  const expanded = expandDeep(config, options.env);
  const after = validateReceiver(expanded, { path: options.path });
  if (after.length > 0) {
    throw new NinesError(
      'VALIDATION',
      after.map((p) => `${p.path}: ${p.message} (after expanding \${…})`).join('\n'),
      {
        details: { problems: after },
      },
    );
  }
  return receiverConfigSchema.parse(expanded);
}

function expandDeep(value: unknown, env: Record<string, string | undefined>): unknown {
  if (typeof value === 'string') return expandEnv(value, env).value;
  if (Array.isArray(value)) return value.map((v) => expandDeep(v, env));
  if (value && typeof value === 'object') {
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, expandDeep(v, env)]));
  }
  return value;
}
