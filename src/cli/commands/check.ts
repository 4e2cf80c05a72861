/** `nines check FILE`: validates a config file; exit 0 when valid, 1 with one line per problem. */
import { formatProblem } from '../../config/load.ts';
import { loadNinesConfigFile } from '../../services/config-checks.ts';
import { println, type CliIo } from '../io.ts';

/** Runs `nines check FILE [FILE...]`. */
export async function runCheckCommand(argv: string[], io: CliIo): Promise<number> {
  const files = argv.filter((a) => !a.startsWith('-'));
  if (files.length === 0) {
    println(io.stderr, 'usage: nines check FILE [FILE...]');
    return 2;
  }
  let failed = false;
  for (const file of files) {
    const result = loadNinesConfigFile(file, { requireEnv: false });
    if (result.ok) {
      const n = result.config.targets.length;
      println(io.stdout, `${file}: ok (${n} target${n === 1 ? '' : 's'})`);
      for (const w of result.warnings) println(io.stderr, `warning: ${formatProblem(w)}`);
    } else {
      failed = true;
      for (const p of result.problems) println(io.stdout, formatProblem(p));
    }
  }
  return failed ? 1 : 0;
}
