/**
 * OpenSLO v1 import: `apiVersion: openslo/v1`, `kind: SLO` documents (multi-document YAML, or a
 * YAML list of objects) become entries of nines' `slos:` section, validated by the same schema.
 *
 * Mapping (nines measures its own events, so a metric source must name a nines SLI):
 * - `metricSource: { type: nines, spec: { target | targets | route | selector, sli } }`, or any
 *   type whose `spec.query` is `nines:target=chat-a,sli=availability` (keys: `target`, `route`,
 *   `sli`; any other key is a target label to select on, e.g. `nines:provider=openai`).
 * - `ratioMetric` good/total or bad/total → the SLI named by `good` (or `bad`); `total` must
 *   name the same source. `sli` is availability (default), latency, ttft or correctness; the
 *   latency/ttft threshold then comes from the source spec `threshold` (e.g. `2s`).
 * - `thresholdMetric` with `sli: latency | ttft` → that SLI with threshold = objective `value`
 *   in milliseconds; `op` must be `lt` or `lte` (good events are the fast ones).
 * - `timeWindow`: rolling `30d`/`28d`/`7d`/`12h`… → `window: 30d`; calendar `1M` → `month`,
 *   `1w` → `week` (nines calendar periods are UTC; another timeZone gives a warning).
 * - `budgetingMethod` Occurrences / Timeslices (timeSliceWindow, timeSliceTarget 0–1) /
 *   RatioTimeslices (timeSliceWindow).
 * - `objectives`: `target` (0–1) or `targetPercent`; several objectives give several SLOs
 *   named `<name>-<displayName or index>`.
 * - `kind: SLI` documents serve `indicatorRef`; Service, DataSource and alerting kinds are
 *   ignored with a warning (nines uses its own burn-rate tiers). Anything else is an error.
 */
import { LineCounter, parseAllDocuments, isMap, isSeq, isNode, type Node } from 'yaml';
import { NinesError } from '../core/errors.ts';
import {
  headerSchema,
  parseAt,
  Problem,
  Problems,
  sliSpecSchema,
  sloSpecSchema,
  type Path,
  type SliSpec,
  type SloSpec,
} from './openslo-schema.ts';
import { readIndicator } from './openslo-sources.ts';
import { sloSchema, type SloConfig, type SloConfigInput } from './slo.ts';

/** A located problem in an OpenSLO file. */
export interface OpenSloProblem {
  line: number;
  col: number;
  /** `[doc].spec.objectives[0].target` style path; the index is the object's position in the file. */
  path: string;
  message: string;
}

/** The imported SLOs, and what was skipped (with why). */
export interface OpenSloImport {
  slos: SloConfig[];
  warnings: string[];
}

function pathText(path: Path): string {
  return path
    .map((p) => (typeof p === 'number' ? `[${p}]` : `.${p}`))
    .join('')
    .replace(/^\./, '');
}

const WINDOW_RE = /^(\d+)(m|h|d|w|M|Q|Y)$/;

function readWindow(tw: SloSpec['timeWindow'][number], at: Path, warnings: string[], name: string): string {
  const m = WINDOW_RE.exec(tw.duration);
  if (!m)
    throw new Problem([...at, 'duration'], `"${tw.duration}" is not an OpenSLO duration (e.g. 28d, 1w, 1M)`);
  if (tw.isRolling) {
    if ('MQY'.includes(m[2]!))
      throw new Problem([...at, 'duration'], `rolling ${tw.duration} is not supported; use days (e.g. 30d)`);
    return tw.duration;
  }
  if (tw.duration !== '1M' && tw.duration !== '1w')
    throw new Problem([...at, 'duration'], `calendar window ${tw.duration} is not supported; use 1M or 1w`);
  const tz = tw.calendar?.timeZone;
  if (tz && !/^(UTC|Etc\/UTC|GMT)$/.test(tz))
    warnings.push(`${name}: calendar periods are UTC in nines, not ${tz}`);
  return tw.duration === '1M' ? 'month' : 'week';
}

function slug(s: string): string {
  return s
    .toLowerCase()
    .replace(/[^a-z0-9_.:-]+/g, '-')
    .replace(/^-+|-+$/g, '');
}

function convertSlo(
  raw: unknown,
  at: Path,
  slis: Map<string, { spec: SliSpec; at: Path }>,
  warnings: string[],
): SloConfig[] {
  const header = parseAt(headerSchema, raw, at);
  const sp: Path = [...at, 'spec'];
  const spec = parseAt(sloSpecSchema, header.spec, sp);
  const name = header.metadata.name;
  let ind: SliSpec;
  let indAt: Path;
  if (spec.indicator && spec.indicatorRef)
    throw new Problem(sp, 'use either indicator or indicatorRef, not both');
  if (spec.indicatorRef !== undefined) {
    const found = slis.get(spec.indicatorRef);
    if (!found)
      throw new Problem([...sp, 'indicatorRef'], `no kind: SLI named "${spec.indicatorRef}" in this file`);
    [ind, indAt] = [found.spec, found.at];
  } else if (spec.indicator) [ind, indAt] = [spec.indicator.spec, [...sp, 'indicator', 'spec']];
  else throw new Problem(sp, 'needs an indicator or an indicatorRef');
  const source = readIndicator(ind, indAt);
  const window = readWindow(spec.timeWindow[0]!, [...sp, 'timeWindow', 0], warnings, name);
  if (spec.alertPolicies?.length)
    warnings.push(`${name}: alertPolicies ignored; nines applies its burn-rate tiers`);
  return spec.objectives.map((o, i) => {
    const op: Path = [...sp, 'objectives', i];
    if ((o.target === undefined) === (o.targetPercent === undefined))
      throw new Problem(op, 'needs exactly one of target (0–1) or targetPercent');
    if (o.target !== undefined && !(o.target > 0 && o.target < 1))
      throw new Problem([...op, 'target'], `target ${o.target} must be above 0 and below 1 (e.g. 0.999)`);
    const objective = o.targetPercent ?? o.target! * 100;
    let sli: SloConfigInput['sli'] = source.sli;
    if (source.fromThresholdMetric) {
      if (source.sli !== 'latency' && source.sli !== 'ttft')
        throw new Problem(indAt, `thresholdMetric needs sli latency or ttft, not ${source.sli}`);
      if (o.op !== 'lt' && o.op !== 'lte')
        throw new Problem(
          [...op, 'op'],
          `nines ${source.sli} SLIs count events below a threshold; use op lt or lte`,
        );
      if (o.value === undefined || o.value <= 0)
        throw new Problem(
          [...op, 'value'],
          'thresholdMetric objectives need a value in milliseconds above 0',
        );
      sli = { kind: source.sli, threshold: o.value };
    } else if (source.threshold !== undefined)
      sli = { kind: source.sli as 'latency', threshold: source.threshold };
    let budgeting: SloConfigInput['budgeting'] = 'occurrences';
    if (spec.budgetingMethod !== 'Occurrences') {
      if (o.timeSliceWindow === undefined)
        throw new Problem(op, `${spec.budgetingMethod} needs timeSliceWindow`);
      const slice = typeof o.timeSliceWindow === 'number' ? `${o.timeSliceWindow}s` : o.timeSliceWindow;
      if (spec.budgetingMethod === 'RatioTimeslices') budgeting = { method: 'ratioTimeslices', slice };
      else {
        if (o.timeSliceTarget === undefined || !(o.timeSliceTarget > 0 && o.timeSliceTarget <= 1)) {
          throw new Problem(
            [...op, 'timeSliceTarget'],
            'Timeslices need a timeSliceTarget above 0 and at most 1',
          );
        }
        budgeting = { method: 'timeslices', slice, sliceGoal: o.timeSliceTarget * 100 };
      }
    }
    const sloName = spec.objectives.length > 1 ? `${name}-${slug(o.displayName ?? '') || i}` : name;
    const input = {
      name: sloName,
      ...source.where,
      sli,
      objective,
      window,
      budgeting,
      ...(spec.description ? { description: spec.description } : {}),
    };
    const parsed = sloSchema.safeParse(input);
    if (!parsed.success) {
      const issue = parsed.error.issues[0]!;
      const field = issue.path[0];
      const back: Path =
        field === 'objective'
          ? [...op, o.target !== undefined ? 'target' : 'targetPercent']
          : field === 'window'
            ? [...sp, 'timeWindow', 0, 'duration']
            : field === 'budgeting'
              ? op
              : sp;
      throw new Problem(back, issue.message);
    }
    return parsed.data;
  });
}

function locate(doc: Node | null | undefined, path: Path): Node | undefined {
  let node: unknown = doc;
  let found: Node | undefined = isNode(node) ? node : undefined;
  for (const part of path) {
    if (isMap(node)) {
      const pair = node.items.find((it) => isNode(it.key) && (it.key as { value?: unknown }).value === part);
      if (!pair) break;
      node = pair.value ?? pair.key;
    } else if (isSeq(node) && typeof part === 'number' && node.items[part]) node = node.items[part];
    else break;
    if (isNode(node)) found = node;
  }
  return found;
}

/**
 * Parses OpenSLO v1 YAML into nines SLOs (see the module comment for the mapping). Throws a
 * VALIDATION NinesError listing every problem as `FILE:LINE:COL: path: message`.
 */
export function parseOpenSlo(text: string, file = 'openslo.yaml'): OpenSloImport {
  const counter = new LineCounter();
  const docs = parseAllDocuments(text, { lineCounter: counter, uniqueKeys: true });
  const problems: OpenSloProblem[] = [];
  const at = (node: Node | undefined, path: string, message: string) => {
    const pos = counter.linePos(node?.range?.[0] ?? 0);
    problems.push({ line: pos.line, col: pos.col, path, message });
  };
  const objects: { value: unknown; node: Node | undefined; path: Path }[] = [];
  for (const doc of Array.isArray(docs) ? docs : [docs]) {
    if (doc.errors.length > 0) {
      for (const e of doc.errors) at(undefined, '', `YAML: ${e.message.split('\n')[0]}`);
      continue;
    }
    const js = doc.toJS({ maxAliasCount: 100 }) as unknown;
    if (js === null || js === undefined) continue;
    const items = Array.isArray(js) ? js : [js];
    items.forEach((value, i) => {
      const node =
        Array.isArray(js) && isSeq(doc.contents) ? (doc.contents.items[i] as Node) : (doc.contents as Node);
      objects.push({ value, node, path: [objects.length] });
    });
  }
  const slis = new Map<string, { spec: SliSpec; at: Path }>();
  const slos: SloConfig[] = [];
  const warnings: string[] = [];
  const report = (err: unknown, o: (typeof objects)[number]) => {
    const list = err instanceof Problem ? [err] : err instanceof Problems ? err.list : undefined;
    if (!list) throw err;
    for (const p of list)
      at(locate(objects[p.path[0] as number]?.node ?? o.node, p.path.slice(1)), pathText(p.path), p.message);
  };
  const ordered = [...objects].sort(
    (a, b) => Number(kindOf(b.value) === 'SLI') - Number(kindOf(a.value) === 'SLI'),
  );
  for (const o of ordered) {
    try {
      const h = parseAt(headerSchema, o.value, o.path);
      if (h.apiVersion !== 'openslo/v1')
        throw new Problem(
          [...o.path, 'apiVersion'],
          `apiVersion ${h.apiVersion} is not supported (only openslo/v1)`,
        );
      if (h.kind === 'SLI') {
        const at = [...o.path, 'spec'];
        slis.set(h.metadata.name, { spec: parseAt(sliSpecSchema, h.spec, at), at });
      } else if (h.kind === 'SLO') slos.push(...convertSlo(o.value, o.path, slis, warnings));
      else if (
        ['Service', 'DataSource', 'AlertPolicy', 'AlertCondition', 'AlertNotificationTarget'].includes(h.kind)
      ) {
        warnings.push(`${h.kind} ${h.metadata.name} ignored`);
      } else throw new Problem([...o.path, 'kind'], `kind ${h.kind} is not an OpenSLO v1 kind`);
    } catch (err) {
      report(err, o);
    }
  }
  if (problems.length > 0) {
    problems.sort((a, b) => a.line - b.line || a.col - b.col);
    const lines = problems.map(
      (p) => `${file}:${p.line}:${p.col}: ${p.path ? `${p.path}: ` : ''}${p.message}`,
    );
    throw new NinesError('VALIDATION', lines.join('\n'), { details: { problems } });
  }
  return { slos, warnings };
}

function kindOf(v: unknown): unknown {
  return v && typeof v === 'object' ? (v as { kind?: unknown }).kind : undefined;
}
