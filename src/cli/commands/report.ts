/**
 * `nines report -c nines.yaml --window 30d [--json] [--target a,b]`: availability, MTBF, MTTR and
 * latency per target, read straight from the configured store (no server needed).
 */
import { parseArgs } from 'node:util';
import { formatProblem } from '../../config/load.ts';
import { loadNinesConfigFile } from '../../services/config-checks.ts';
import { formatDuration, parseDuration } from '../../core/duration.ts';
import { NinesError } from '../../core/errors.ts';
import { openStore } from '../../store/open.ts';
import { createReportService } from '../../services/reports.ts';
import type { TargetReport } from '../../api/services.ts';
import { println, type CliIo } from '../io.ts';

function pct(v: number | null): string {
  return v === null ? 'n/a' : `${(Math.floor(v * 100_000) / 1000).toFixed(3)}%`;
}

function ms(v: number | null): string {
  return v === null ? '-' : formatDuration(v);
}

/** Renders reports as an aligned text table. */
export function renderReportTable(reports: readonly TargetReport[]): string {
  const header = [
    'target',
    'availability',
    'checks',
    'failures',
    'outages',
    'downtime',
    'MTBF',
    'MTTR',
    'p50',
    'p95',
    'p99',
    'TTFT p95',
  ];
  const rows = reports.map((r) => [
    r.target,
    pct(r.availability),
    String(r.checks),
    String(r.failures),
    String(r.outages.length),
    ms(r.downtimeMs),
    ms(r.mtbfMs),
    ms(r.mttrMs),
    r.latencyP50Ms === null ? '-' : `${Math.round(r.latencyP50Ms)}ms`,
    r.latencyP95Ms === null ? '-' : `${Math.round(r.latencyP95Ms)}ms`,
    r.latencyP99Ms === null ? '-' : `${Math.round(r.latencyP99Ms)}ms`,
    r.ttftP95Ms === null ? '-' : `${Math.round(r.ttftP95Ms)}ms`,
  ]);
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i]!.length)));
  const line = (cells: string[]) =>
    cells.map((c, i) => (i === 0 ? c.padEnd(widths[i]!) : c.padStart(widths[i]!))).join('  ');
  return [line(header), line(widths.map((w) => '-'.repeat(w))), ...rows.map(line)].join('\n');
}

/** Runs `nines report`. */
export async function runReportCommand(argv: string[], io: CliIo): Promise<number> {
  const { values } = parseArgs({
    args: argv,
    options: {
      config: { type: 'string', short: 'c', default: 'nines.yaml' },
      window: { type: 'string', short: 'w', default: '30d' },
      target: { type: 'string' },
      json: { type: 'boolean' },
    },
  });
  let windowMs: number;
  try {
    windowMs = parseDuration(values.window!);
  } catch {
    throw new NinesError('VALIDATION', `--window "${values.window}" is not a duration like 24h, 7d or 30d`);
  }
  const loaded = loadNinesConfigFile(values.config!, { requireEnv: false });
  if (!loaded.ok) {
    for (const p of loaded.problems) println(io.stderr, formatProblem(p));
    return 1;
  }
  const names = values.target?.split(',').filter(Boolean);
  const known = new Set(loaded.config.targets.map((t) => t.name));
  for (const n of names ?? [])
    if (!known.has(n))
      throw new NinesError('VALIDATION', `--target: no target named "${n}" in ${values.config}`);
  const store = await openStore(loaded.config.storage);
  try {
    const service = createReportService({ store, targetNames: () => [...known] });
    const reports = await service.targetReports(windowMs, Date.now(), names);
    if (values.json) println(io.stdout, JSON.stringify({ window: values.window, reports }, null, 2));
    else {
      println(io.stdout, `window: last ${values.window} (to ${new Date().toISOString()})`);
      println(io.stdout, renderReportTable(reports));
    }
    return 0;
  } finally {
    await store.close();
  }
}
