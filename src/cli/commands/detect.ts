/**
 * `nines detect FILE.csv [--out OUT.csv] [--skip-bad-values] [--allow-unordered]`: streams a `timestamp,value` CSV row by
 * row through the same default detector the server runs live and writes
 * `timestamp,value,anomaly_score` in the same row order (stdout unless `--out`).
 */
import { createReadStream, createWriteStream } from 'node:fs';
import { once } from 'node:events';
import { createInterface } from 'node:readline';
import { NinesError } from '../../core/errors.ts';
import { createCsvRowParser } from '../../detect/csv.ts';
import { createDetector } from '../../detect/detector.ts';

const USAGE = 'usage: nines detect FILE.csv [--out OUT.csv] [--skip-bad-values] [--allow-unordered]';

/** Formats a score with at most 6 decimals (always within [0, 1]). */
function formatScore(score: number): string {
  const clamped = Number.isFinite(score) ? Math.min(1, Math.max(0, score)) : 0;
  return String(Math.round(clamped * 1e6) / 1e6);
}

async function write(out: NodeJS.WritableStream, text: string): Promise<void> {
  if (!out.write(text)) await once(out, 'drain');
}

/** Runs `nines detect`; returns the exit code (0 ok, 2 bad usage or bad input). */
export async function runDetectCommand(
  argv: string[],
  io: { stdout: NodeJS.WritableStream; stderr: NodeJS.WritableStream },
): Promise<number> {
  let file: string | undefined;
  let outPath: string | undefined;
  let skipBad = false;
  let keepUnordered = false;
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i]!;
    if (a === '--out' || a === '-o') outPath = argv[++i];
    else if (a.startsWith('--out=')) outPath = a.slice(6);
    else if (a === '--skip-bad-values') skipBad = true;
    else if (a === '--allow-unordered') keepUnordered = true;
    else if (a === '--help' || a === '-h') {
      io.stdout.write(`${USAGE}\n`);
      return 0;
    } else if (a.startsWith('-') || file !== undefined) {
      io.stderr.write(`nines detect: unexpected argument "${a}"\n${USAGE}\n`);
      return 2;
    } else file = a;
  }
  if (!file || (argv.includes('--out') && !outPath)) {
    io.stderr.write(`${USAGE}\n`);
    return 2;
  }
  const input = createReadStream(file, { encoding: 'utf8' });
  const opened = once(input, 'open').then(
    () => undefined,
    (err: NodeJS.ErrnoException) => err,
  );
  const openErr = await opened;
  if (openErr) {
    io.stderr.write(`nines detect: cannot read ${file}: ${openErr.code ?? openErr.message}\n`);
    return 2;
  }
  const out = outPath ? createWriteStream(outPath) : io.stdout;
  const parser = createCsvRowParser({
    badValues: skipBad ? 'skip' : 'error',
    unordered: keepUnordered ? 'keep' : 'error',
  });
  let firstUnordered = 0;
  let unordered = 0;
  const detector = createDetector();
  try {
    let started = false;
    for await (const line of createInterface({ input, crlfDelay: Infinity })) {
      const row = parser.push(line);
      if (!started) {
        // The header is only echoed once line 1 has been accepted as one.
        await write(out, 'timestamp,value,anomaly_score\n');
        started = true;
      }
      if (!row) continue;
      if (row.outOfOrder && unordered++ === 0) firstUnordered = row.line;
      const score = detector.update(row.timestampMs, row.value);
      await write(out, `${row.timestampText},${row.valueText},${formatScore(score)}\n`);
    }
    parser.end();
    if (unordered > 0) {
      io.stderr.write(
        `nines detect: ${file}: kept ${unordered} rows whose timestamp is not after the previous one (first on line ${firstUnordered})\n`,
      );
    }
    return 0;
  } catch (err) {
    if (err instanceof NinesError) {
      io.stderr.write(`nines detect: ${file}: ${err.message}\n`);
      return 2;
    }
    throw err;
  } finally {
    input.destroy();
    if (outPath) {
      (out as NodeJS.WritableStream & { end(): void }).end();
      await once(out, 'finish').catch(() => undefined);
    }
  }
}
