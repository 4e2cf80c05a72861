/**
 * `nines rules -c FILE [--openslo FILE.yaml ...] [--out rules.yml]`: prints the Prometheus
 * recording and alerting rules for the SLOs of a config file plus those imported from OpenSLO
 * files. Exit 0 with the rules; 1 with located problems on stderr; 2 for bad usage.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { formatProblem } from '../../config/load.ts';
import { loadNinesConfigFile } from '../../services/config-checks.ts';
import { parseOpenSlo } from '../../config/openslo.ts';
import { NinesError } from '../../core/errors.ts';
import type { SloDefinition } from '../../slo/types.ts';
import { renderPrometheusRules } from '../../telemetry/prometheus-rules.ts';
import { println, type CliIo } from '../io.ts';

const USAGE = 'usage: nines rules -c nines.yaml [--openslo slo.yaml ...] [--out rules.yml]';

/** SLOs from the config file, or the printed problems. */
function configSlos(file: string, io: CliIo): SloDefinition[] | undefined {
  const result = loadNinesConfigFile(file, { requireEnv: false });
  if (!result.ok) {
    for (const p of result.problems) println(io.stderr, formatProblem(p));
    return undefined;
  }
  return result.config.slos;
}

/** SLOs from one OpenSLO file, or the printed problems. */
function openSloSlos(file: string, io: CliIo): SloDefinition[] | undefined {
  try {
    const imported = parseOpenSlo(readFileSync(file, 'utf8'), file);
    for (const w of imported.warnings) println(io.stderr, `warning: ${file}: ${w}`);
    return imported.slos;
  } catch (err) {
    if (err instanceof NinesError) println(io.stderr, err.message);
    else println(io.stderr, `${file}:1:1: cannot read: ${(err as Error).message}`);
    return undefined;
  }
}

/** Runs `nines rules`; returns the exit code. */
export async function runRulesCommand(argv: string[], io: CliIo): Promise<number> {
  let values: { config?: string; openslo?: string[]; out?: string; help?: boolean };
  try {
    ({ values } = parseArgs({
      args: argv,
      options: {
        config: { type: 'string', short: 'c' },
        openslo: { type: 'string', multiple: true },
        out: { type: 'string', short: 'o' },
        help: { type: 'boolean', short: 'h' },
      },
      allowPositionals: false,
    }));
  } catch (err) {
    println(io.stderr, `nines rules: ${(err as Error).message}\n${USAGE}`);
    return 2;
  }
  if (values.help) {
    println(io.stdout, USAGE);
    return 0;
  }
  if (!values.config && !values.openslo?.length) {
    println(io.stderr, USAGE);
    return 2;
  }
  const slos: SloDefinition[] = [];
  let failed = false;
  const sources = [
    ...(values.config ? [() => configSlos(values.config!, io)] : []),
    ...(values.openslo ?? []).map((f) => () => openSloSlos(f, io)),
  ];
  for (const load of sources) {
    const found = load();
    if (found) slos.push(...found);
    else failed = true;
  }
  if (failed) return 1;
  const seen = new Set<string>();
  for (const slo of slos) {
    if (seen.has(slo.name)) {
      println(
        io.stderr,
        `nines rules: SLO name "${slo.name}" is defined twice (rule group names must be unique)`,
      );
      failed = true;
    }
    seen.add(slo.name);
  }
  if (failed) return 1;
  if (slos.length === 0) println(io.stderr, 'warning: no SLOs found; the rule file has no groups');
  const text = renderPrometheusRules(slos);
  if (values.out) {
    writeFileSync(values.out, text);
    println(io.stderr, `wrote ${slos.length} rule group${slos.length === 1 ? '' : 's'} to ${values.out}`);
  } else {
    io.stdout.write(text);
  }
  return 0;
}
