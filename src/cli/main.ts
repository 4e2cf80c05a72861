/**
 * The `nines` command line: parses the first word and hands the rest to one command module.
 * Commands are thin (DESIGN: parse, call, print) and return an exit code.
 */
import { NinesError } from '../core/errors.ts';
import { println, type CliIo } from './io.ts';

type Command = (argv: string[], io: CliIo) => Promise<number>;

const COMMANDS: Record<string, { summary: string; load: () => Promise<Command> }> = {
  serve: {
    summary: 'run probes, the API and (if configured) the gateway: nines serve -c nines.yaml',
    load: async () => (await import('./commands/serve.ts')).runServeCommand,
  },
  demo: {
    summary: 'start simulated providers, the server and the dashboard with scripted incidents',
    load: async () => (await import('./commands/demo.ts')).runDemoCommand,
  },
  check: {
    summary: 'validate a config file: nines check nines.yaml',
    load: async () => (await import('./commands/check.ts')).runCheckCommand,
  },
  probe: {
    summary: 'run one probe and print its result as JSON',
    load: async () => (await import('./commands/probe.ts')).runProbeCommand,
  },
  report: {
    summary: 'availability, MTBF and MTTR per target: nines report -c nines.yaml --window 30d',
    load: async () => (await import('./commands/report.ts')).runReportCommand,
  },
  detect: {
    summary: 'score a timestamp,value CSV with the live anomaly detector',
    load: async () => (await import('./commands/detect.ts')).runDetectCommand,
  },
  incident: {
    summary: 'list, show, acknowledge, resolve, annotate incidents; export a postmortem',
    load: async () => (await import('./commands/incident.ts')).runIncidentCommand,
  },
  silence: {
    summary: 'list, add and expire alert silences on a running server',
    load: async () => (await import('./commands/silence.ts')).runSilenceCommand,
  },
  capacity: {
    summary:
      'suggested replicas per gateway route from forecast traffic: nines capacity -c nines.yaml --horizon 24h',
    load: async () => (await import('./commands/capacity.ts')).runCapacityCommand,
  },
  rules: {
    summary: 'print Prometheus recording and alerting rules for the configured SLOs',
    load: async () => (await import('./commands/rules.ts')).runRulesCommand,
  },
};

function usage(io: CliIo): void {
  println(io.stdout, 'usage: nines <command> [options]\n\ncommands:');
  for (const [name, c] of Object.entries(COMMANDS)) println(io.stdout, `  ${name.padEnd(8)} ${c.summary}`);
}

/** Runs the CLI with `argv` (without node and script) and returns the exit code. */
export async function runCli(
  argv: string[],
  io: CliIo = { stdout: process.stdout, stderr: process.stderr },
): Promise<number> {
  const [name, ...rest] = argv;
  if (!name || name === '--help' || name === '-h' || name === 'help') {
    usage(io);
    return name ? 0 : 2;
  }
  const command = COMMANDS[name];
  if (!command) {
    println(io.stderr, `nines: unknown command "${name}"`);
    usage(io);
    return 2;
  }
  try {
    return await (
      await command.load()
    )(rest, io);
  } catch (err) {
    if (err instanceof NinesError) {
      println(io.stderr, `nines ${name}: ${err.message}`);
      return err.code === 'VALIDATION' ? 2 : 1;
    }
    println(io.stderr, `nines ${name}: ${(err as Error).stack ?? String(err)}`);
    return 1;
  }
}
