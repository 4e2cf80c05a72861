/**
 * OpenSLO metric sources → the nines SLI they name (mapping described in openslo.ts): a
 * `type: nines` source with target/targets/route/selector/sli/threshold fields, or any source
 * whose `spec.query` is `nines:key=value,...`.
 */
import { Problem, type MetricSpec, type Path, type SliSpec } from './openslo-schema.ts';
import { SLI_KINDS, type SloConfigInput } from './slo.ts';

/** Where an SLI's events come from and which SLI it is. */
export interface NinesSource {
  where: Pick<SloConfigInput, 'target' | 'targets' | 'route' | 'selector'>;
  sli: string;
  threshold?: string;
}

const NINES_SPEC_KEYS = ['target', 'targets', 'route', 'selector', 'sli', 'threshold'];

/** `nines:target=chat-a,sli=availability`: target, route, sli, threshold; other keys are target labels. */
function parseNinesQuery(query: string, at: Path): Record<string, unknown> {
  const fields: Record<string, unknown> = {};
  const selector: Record<string, string> = {};
  for (const pair of query.slice('nines:'.length).split(',').filter(Boolean)) {
    const [k, v] = pair.split('=').map((x) => x.trim());
    if (!k || v === undefined) throw new Problem(at, `"${pair}" is not key=value`);
    if (k === 'target' || k === 'route' || k === 'sli' || k === 'threshold') fields[k] = v;
    else selector[k] = v;
  }
  if (Object.keys(selector).length > 0) fields.selector = selector;
  return fields;
}

/** Reads a metric source that names a nines SLI (see the module comment). */
function readSource(m: MetricSpec, at: Path): NinesSource {
  const src = m.metricSource;
  if (src.metricSourceRef !== undefined)
    throw new Problem(
      [...at, 'metricSourceRef'],
      'metricSourceRef is not supported; inline a nines metric source',
    );
  const spec = src.spec;
  let fields: Record<string, unknown>;
  if (typeof spec.query === 'string' && spec.query.startsWith('nines:')) {
    fields = parseNinesQuery(spec.query, [...at, 'spec', 'query']);
  } else if (src.type?.toLowerCase() === 'nines') {
    const unknown = Object.keys(spec).find((k) => !NINES_SPEC_KEYS.includes(k));
    if (unknown) {
      throw new Problem(
        [...at, 'spec', unknown],
        `unknown field "${unknown}" (nines sources take ${NINES_SPEC_KEYS.join(', ')})`,
      );
    }
    fields = spec;
  } else {
    throw new Problem(
      at,
      `metric source ${src.type ?? '(no type)'} is not a nines source: use type: nines, or a query like nines:target=chat-a,sli=availability`,
    );
  }
  const where: NinesSource['where'] = {};
  for (const k of ['target', 'targets', 'route', 'selector'] as const)
    if (fields[k] !== undefined) Object.assign(where, { [k]: fields[k] });
  if (typeof where.targets === 'string')
    where.targets = (where.targets as string).split(',').map((s) => s.trim());
  const sli = String(fields.sli ?? 'availability');
  if (!(SLI_KINDS as readonly string[]).includes(sli))
    throw new Problem([...at, 'spec'], `sli "${sli}" is not one of ${SLI_KINDS.join(', ')}`);
  return { where, sli, ...(fields.threshold !== undefined ? { threshold: String(fields.threshold) } : {}) };
}

/** The SLI an indicator names; `fromThresholdMetric` when the objective's value is the threshold. */
export function readIndicator(spec: SliSpec, at: Path): NinesSource & { fromThresholdMetric?: boolean } {
  const r = spec.ratioMetric;
  if (spec.thresholdMetric && r) throw new Problem(at, 'use either thresholdMetric or ratioMetric, not both');
  if (spec.thresholdMetric)
    return {
      ...readSource(spec.thresholdMetric, [...at, 'thresholdMetric', 'metricSource']),
      fromThresholdMetric: true,
    };
  if (!r) throw new Problem(at, 'needs a thresholdMetric or a ratioMetric');
  if (r.raw || r.rawType)
    throw new Problem(
      [...at, 'ratioMetric', 'raw'],
      'raw ratio metrics are not supported; use good/total or bad/total',
    );
  if (!r.total) throw new Problem([...at, 'ratioMetric'], 'ratioMetric needs total');
  if ((r.good === undefined) === (r.bad === undefined))
    throw new Problem([...at, 'ratioMetric'], 'ratioMetric needs exactly one of good or bad');
  const key = r.good ? 'good' : 'bad';
  const main = readSource((r.good ?? r.bad)!, [...at, 'ratioMetric', key, 'metricSource']);
  const total = readSource(r.total, [...at, 'ratioMetric', 'total', 'metricSource']);
  if (JSON.stringify(total.where) !== JSON.stringify(main.where)) {
    throw new Problem(
      [...at, 'ratioMetric', 'total', 'metricSource'],
      `total must count the same source as ${key}`,
    );
  }
  return main;
}
