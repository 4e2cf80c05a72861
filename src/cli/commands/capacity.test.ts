import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PassThrough } from 'node:stream';
import { openSqliteStore } from '../../store/sqlite/store.ts';
import type { RequestRecord } from '../../store/types.ts';
import { runCapacityCommand } from './capacity.ts';

const T0 = Date.UTC(2026, 10, 20);

function capture() {
  const stdout = new PassThrough();
  const stderr = new PassThrough();
  const text = { out: '', err: '' };
  stdout.on('data', (d: Buffer) => (text.out += d.toString()));
  stderr.on('data', (d: Buffer) => (text.err += d.toString()));
  return { io: { stdout, stderr }, text };
}

/** `perMin` requests a minute on `route` for `minutes`, each taking `latencyMs`. */
function requests(route: string, minutes: number, perMin: number, latencyMs: number): RequestRecord[] {
  return Array.from({ length: minutes * perMin }, (_, i): RequestRecord => ({
    id: `${route}-${i}`,
    at: T0 + Math.floor(i / perMin) * 60_000 + (i % perMin) * 100,
    route,
    endpoint: 'chat',
    deployment: 'd1',
    status: 200,
    outcome: 'ok',
    latencyMs,
    attempts: 1,
    failovers: 0,
    stream: false,
    cached: false,
  }));
}

test('nines capacity prints suggested replicas per route from recorded gateway traffic', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'nines-capacity-'));
  try {
    const dbPath = join(dir, 'nines.db');
    const store = openSqliteStore({ path: dbPath });
    await store.migrate();
    await store.insertRequests([...requests('chat', 120, 30, 8000), ...requests('embed', 120, 6, 100)]);
    await store.close();
    const config = join(dir, 'nines.yaml');
    writeFileSync(
      config,
      `storage:\n  sqlite: { path: ${JSON.stringify(dbPath)} }\ntargets:\n  - name: a\n    kind: http\n    url: http://127.0.0.1:9/\n`,
    );
    const now = () => T0 + 120 * 60_000;

    const { io, text } = capture();
    assert.equal(
      await runCapacityCommand(['-c', config, '--horizon', '2h', '--replica-concurrency', '4'], io, { now }),
      0,
      text.err,
    );
    const lines = text.out.trim().split('\n');
    assert.match(lines[1]!, /^route\s+peak rps/);
    const chat = lines
      .find((l) => l.startsWith('chat'))!
      .trim()
      .split(/\s+/);
    assert.equal(chat[3], '8.00s');
    // ~0.5 rps × 8 s ≈ 4 concurrent requests; 4 per replica at 70% → at least 2 replicas.
    assert.ok(Number(chat[4]) > 3 && Number(chat[4]) < 5, lines.join('\n'));
    assert.ok(Number(chat[6]) >= 2);
    assert.ok(lines.some((l) => /^embed\s/.test(l)));
    assert.match(lines[lines.length - 1]!, /^total \(shared pool\)/);

    const json = capture();
    assert.equal(await runCapacityCommand(['-c', config, '--json', '--route', 'embed'], json.io, { now }), 0);
    const plan = JSON.parse(json.text.out) as { routes: { route: string; replicas: number }[] };
    assert.deepEqual(
      plan.routes.map((r) => [r.route, r.replicas]),
      [['embed', 1]],
    );

    await assert.rejects(
      runCapacityCommand(['-c', config, '--target-utilization', '2'], capture().io),
      /target-utilization/,
    );
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
