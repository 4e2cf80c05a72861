/**
 * Applies `defaults:` to every target so the rest of nines sees complete targets, and expands
 * `${ENV}` references in the fields that may hold secrets (headers, url).
 */
import type { ConfigInput } from './schema.ts';
import type { TargetInput } from './targets.ts';
import { expandEnvRefs } from './env-refs.ts';

/** Built-in probe defaults, used where neither the target nor `defaults:` says otherwise. */
export const BUILTIN_PROBE_DEFAULTS = {
  interval: 30_000,
  timeout: 10_000,
  failureThreshold: 3,
  successThreshold: 2,
  maxBodyBytes: 10 * 1024 * 1024,
} as const;

/** A target with every probe setting filled in. */
export type Target = TargetInput & {
  interval: number;
  timeout: number;
  failureThreshold: number;
  successThreshold: number;
  maxBodyBytes: number;
};

/** The config the running system uses: complete targets, secrets expanded. */
export type Config = Omit<ConfigInput, 'targets'> & { targets: Target[] };

/** A missing environment variable, with the config path that referred to it. */
export interface MissingEnv {
  path: (string | number)[];
  name: string;
}

/** Fills target settings from defaults (target → `defaults:` → built-in). */
export function applyDefaults(input: ConfigInput): Config {
  const d = input.defaults;
  const targets = input.targets.map((t) => ({
    ...t,
    interval: t.interval ?? d.interval ?? BUILTIN_PROBE_DEFAULTS.interval,
    timeout: t.timeout ?? d.timeout ?? BUILTIN_PROBE_DEFAULTS.timeout,
    failureThreshold: t.failureThreshold ?? d.failureThreshold ?? BUILTIN_PROBE_DEFAULTS.failureThreshold,
    successThreshold: t.successThreshold ?? d.successThreshold ?? BUILTIN_PROBE_DEFAULTS.successThreshold,
    maxBodyBytes: t.maxBodyBytes ?? d.maxBodyBytes ?? BUILTIN_PROBE_DEFAULTS.maxBodyBytes,
  }));
  return { ...input, targets };
}

/** Expands `${ENV}` in target urls and headers and in auth tokens; reports what is missing. */
export function expandSecrets(
  config: Config,
  env: Record<string, string | undefined>,
): { config: Config; missing: MissingEnv[] } {
  const missing: MissingEnv[] = [];
  const expand = (text: string, path: (string | number)[]): string => {
    const r = expandEnvRefs(text, env);
    for (const name of r.missing) missing.push({ path, name });
    return r.value;
  };
  const targets = config.targets.map((t, i) => ({
    ...t,
    url: expand(t.url, ['targets', i, 'url']),
    headers: Object.fromEntries(
      Object.entries(t.headers).map(([k, v]) => [k, expand(v, ['targets', i, 'headers', k])]),
    ),
  }));
  const tokens = config.auth.tokens.map((tok, i) => ({
    ...tok,
    token: expand(tok.token, ['auth', 'tokens', i, 'token']),
  }));
  return { config: { ...config, targets, auth: { ...config.auth, tokens } }, missing };
}
