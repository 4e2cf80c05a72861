/**
 * Config checks that span sections or need another module's knowledge: receiver channel configs
 * (src/notify owns their syntax), SLO names used by alert rules, targets named by SLOs and rules,
 * and metric names of threshold rules. `loadNinesConfigFile` is the loader every command uses.
 */
import type { PathProblem } from '../config/checks.ts';
import { loadConfigFile, loadConfigText, type LoadOptions, type LoadResult } from '../config/load.ts';
import type { Config } from '../config/resolve.ts';
import { validateReceivers } from '../notify/validate.ts';
import { TARGET_METRICS } from './target-metrics.ts';

/** `receivers[1].slack_configs[0].api_url` → ['receivers', 1, 'slack_configs', 0, 'api_url']. */
export function parsePath(path: string): (string | number)[] {
  const out: (string | number)[] = [];
  for (const m of path.matchAll(/([^.[\]]+)|\[(\d+)\]/g)) out.push(m[2] !== undefined ? Number(m[2]) : m[1]!);
  return out;
}

/** Every cross-section problem of a config (empty when consistent). */
export function crossSectionChecks(
  config: Config,
  env: Record<string, string | undefined> = process.env,
): PathProblem[] {
  const problems: PathProblem[] = [];
  const targets = new Set(config.targets.map((t) => t.name));
  const slos = new Set<string>();
  config.slos.forEach((slo, i) => {
    if (slos.has(slo.name))
      problems.push({ path: ['slos', i, 'name'], message: `duplicate SLO name "${slo.name}"` });
    slos.add(slo.name);
    const sel = slo.selector;
    if (sel.source === 'probe') {
      for (const t of sel.targets ?? []) {
        if (!targets.has(t))
          problems.push({ path: ['slos', i], message: `SLO "${slo.name}" names unknown target "${t}"` });
      }
    } else if (config.gateway && !config.gateway.routes.some((r) => r.model === sel.route)) {
      problems.push({
        path: ['slos', i],
        message: `SLO "${slo.name}" names unknown gateway route "${sel.route}"`,
      });
    }
  });
  config.alerting.rules.forEach((rule, i) => {
    const at = ['alerting', 'rules', i];
    if (rule.kind === 'slo_burn' && !slos.has(rule.slo)) {
      problems.push({
        path: [...at, 'slo'],
        message: `unknown SLO "${rule.slo}" (SLOs: ${[...slos].join(', ') || 'none'})`,
      });
    }
    if ('targets' in rule) {
      for (const n of rule.targets.names ?? [])
        if (!targets.has(n)) problems.push({ path: [...at, 'targets'], message: `unknown target "${n}"` });
    }
    if (rule.kind === 'threshold' && !(TARGET_METRICS as readonly string[]).includes(rule.metric)) {
      problems.push({
        path: [...at, 'metric'],
        message: `unknown metric "${rule.metric}" (metrics: ${TARGET_METRICS.join(', ')})`,
      });
    }
  });
  for (const p of validateReceivers(config.alerting.receivers, { path: 'alerting.receivers', env })) {
    problems.push({ path: parsePath(p.path), message: p.message });
  }
  return problems;
}

/** Loads a config file with every check, including the cross-section ones. */
export function loadNinesConfigFile(file: string, options: LoadOptions = {}): LoadResult {
  const env = options.env ?? process.env;
  return loadConfigFile(file, {
    ...options,
    extraChecks: (c) => crossSectionChecks(c, options.requireEnv ? env : {}),
  });
}

/** The same for config text (tests, the demo). */
export function loadNinesConfigText(text: string, file: string, options: LoadOptions = {}): LoadResult {
  const env = options.env ?? process.env;
  return loadConfigText(text, file, {
    ...options,
    extraChecks: (c) => crossSectionChecks(c, options.requireEnv ? env : {}),
  });
}
