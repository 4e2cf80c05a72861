/**
 * Target labels on per-target series. `selector:` SLOs (e.g. `provider: openai`) become rule
 * matchers on the probe series (prometheus-rules.ts), so those series carry the target's config
 * labels. prom-client needs label names up front, so they are fixed when telemetry is created.
 *
 * Cardinality: target labels are constant per target, so they add no series; the count is
 * targets × outcomes (3) + targets × assertion results (2) + targets × (buckets + 2) per
 * histogram + targets × 5 state series. Never put per-request values (ids, prompts) here.
 */

/**
 * Label names a target label may not use: the names nines' own series use, the histogram `le`,
 * `job`/`instance` (Prometheus would rename them to `exported_*` and break rule matchers) and
 * `__`-prefixed names (reserved by Prometheus).
 */
export const RESERVED_LABEL_NAMES: ReadonlySet<string> = new Set([
  'target',
  'outcome',
  'result',
  'state',
  'le',
  'quantile',
  'job',
  'instance',
]);

const LABEL_NAME_RE = /^[A-Za-z_][A-Za-z0-9_]*$/;

/** The usable target label names (sorted, deduplicated) and those left out, with why. */
export interface TargetLabelNames {
  names: string[];
  dropped: { name: string; reason: string }[];
}

/** Splits requested target label names into usable ones and dropped ones (reserved or invalid). */
export function targetLabelNames(requested: Iterable<string>): TargetLabelNames {
  const names = new Set<string>();
  const dropped: TargetLabelNames['dropped'] = [];
  for (const name of new Set(requested)) {
    if (!LABEL_NAME_RE.test(name)) dropped.push({ name, reason: 'not a Prometheus label name' });
    else if (name.startsWith('__')) dropped.push({ name, reason: 'names starting with __ are reserved' });
    else if (RESERVED_LABEL_NAMES.has(name)) dropped.push({ name, reason: 'used by nines series' });
    else names.add(name);
  }
  return { names: [...names].sort(), dropped };
}

/** The union of label names over targets, e.g. from `config.targets` (for `targetLabelNames`). */
export function labelNamesOf(targets: Iterable<{ labels?: Readonly<Record<string, string>> }>): string[] {
  const out = new Set<string>();
  for (const t of targets) for (const k of Object.keys(t.labels ?? {})) out.add(k);
  return [...out];
}

/** Picks the allowed label names from a target's labels (others are ignored). */
export function pickLabels(
  allowed: readonly string[],
  labels: Readonly<Record<string, string>> | undefined,
): Record<string, string> {
  const out: Record<string, string> = {};
  if (!labels) return out;
  for (const name of allowed) {
    const v = labels[name];
    if (v !== undefined) out[name] = v;
  }
  return out;
}
