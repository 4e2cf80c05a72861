/**
 * `nines serve -c nines.yaml`: runs everything the config asks for until SIGINT/SIGTERM.
 * SIGHUP reloads the file; a reload that fails keeps the running config and prints why.
 */
import { parseArgs } from 'node:util';
import { formatProblem } from '../../config/load.ts';
import { loadNinesConfigFile } from '../../services/config-checks.ts';
import { startNines } from '../../main.ts';
import { println, type CliIo } from '../io.ts';

/** Runs `nines serve`. */
export async function runServeCommand(argv: string[], io: CliIo): Promise<number> {
  const { values } = parseArgs({
    args: argv,
    options: { config: { type: 'string', short: 'c', default: 'nines.yaml' } },
  });
  const file = values.config!;
  const loaded = loadNinesConfigFile(file, { requireEnv: true });
  if (!loaded.ok) {
    for (const p of loaded.problems) println(io.stderr, formatProblem(p));
    return 1;
  }
  // Listening for SIGHUP before starting: its default action would end a process still starting.
  let nines: Awaited<ReturnType<typeof startNines>> | undefined;
  let hupWhileStarting = false;
  const onHup = () => {
    if (!nines) return void (hupWhileStarting = true);
    const next = loadNinesConfigFile(file, { requireEnv: true });
    if (!next.ok) {
      println(io.stderr, `reload of ${file} failed; keeping the running config:`);
      for (const p of next.problems) println(io.stderr, `  ${formatProblem(p)}`);
      return;
    }
    try {
      nines.reload(next.config);
    } catch (err) {
      println(io.stderr, `reload of ${file} failed; keeping the running config: ${(err as Error).message}`);
    }
  };
  process.on('SIGHUP', onHup);
  try {
    nines = await startNines(loaded.config, { log: (line) => println(io.stdout, line) });
  } catch (err) {
    process.off('SIGHUP', onHup);
    throw err;
  }
  if (hupWhileStarting) onHup();
  await new Promise<void>((resolve) => {
    process.once('SIGINT', resolve);
    process.once('SIGTERM', resolve);
  });
  process.off('SIGHUP', onHup);
  println(io.stdout, 'shutting down…');
  await nines.close();
  return 0;
}
