// Forwarding against the real Alertmanager (Debian's prometheus-alertmanager) on loopback.
import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { createIntegrations } from './create-notifier.ts';
import { sampleNotification } from './conformance.ts';
import type { Notifier } from './notifier.ts';
import { refusedAddress } from './test-receivers.ts';

const BINARY = process.env['ALERTMANAGER_BIN'] ?? '/usr/bin/prometheus-alertmanager';

describe('alertmanager forwarding (real prometheus-alertmanager)', () => {
  let am: ChildProcess | undefined;
  let base = '';
  let dir = '';
  let stderr = '';
  let notifier: Notifier;

  before(async () => {
    if (!existsSync(BINARY)) {
      throw new Error(
        `${BINARY} not found: install it with \`apt-get install prometheus-alertmanager\` (or set ALERTMANAGER_BIN)`,
      );
    }
    dir = mkdtempSync(join(tmpdir(), 'nines-am-'));
    writeFileSync(join(dir, 'am.yml'), "route:\n  receiver: 'null'\nreceivers:\n  - name: 'null'\n");
    const hostPort = await refusedAddress();
    base = `http://${hostPort}`;
    am = spawn(
      BINARY,
      [
        `--web.listen-address=${hostPort}`,
        `--storage.path=${dir}`,
        `--config.file=${join(dir, 'am.yml')}`,
        '--cluster.listen-address=',
      ],
      { stdio: ['ignore', 'ignore', 'pipe'] },
    );
    am.stderr?.on('data', (c: Buffer) => (stderr = (stderr + c.toString()).slice(-2000)));
    const deadline = Date.now() + 10_000;
    for (;;) {
      try {
        if ((await fetch(`${base}/-/ready`)).ok) break;
      } catch {
        // not listening yet
      }
      if (am.exitCode !== null || Date.now() > deadline)
        throw new Error(`alertmanager did not start:\n${stderr}`);
      await new Promise((r) => setTimeout(r, 50));
    }
    const integrations = createIntegrations({
      name: 'am',
      alertmanager_configs: [{ urls: [`${base}/`], timeout: '2s' }],
    });
    notifier = integrations[0]!.notifier;
  });

  after(async () => {
    // Alertmanager writes its snapshot on shutdown: wait for it to exit before removing its dir.
    if (am && am.exitCode === null) {
      const exited = new Promise((r) => am!.once('exit', r));
      am.kill('SIGTERM');
      await Promise.race([exited, new Promise((r) => setTimeout(r, 5000))]);
    }
    if (dir) rmSync(dir, { recursive: true, force: true, maxRetries: 5, retryDelay: 100 });
  });

  async function ours(): Promise<
    {
      labels: Record<string, string>;
      annotations: Record<string, string>;
      generatorURL: string;
      startsAt: string;
    }[]
  > {
    const res = await fetch(
      `${base}/api/v2/alerts?filter=${encodeURIComponent('alertname="HighErrorRate"')}`,
    );
    assert.equal(res.status, 200);
    return (await res.json()) as Awaited<ReturnType<typeof ours>>;
  }

  it('posts firing alerts that Alertmanager then lists', async () => {
    const n = sampleNotification('firing');
    const r = await notifier.send(n, { signal: new AbortController().signal });
    assert.equal(r.ok, true, r.ok ? '' : r.message);
    const alerts = await ours();
    assert.equal(alerts.length, 2);
    const a = alerts.find((x) => x.labels['instance'] === 'gpt-a');
    assert.deepEqual(a?.labels, n.alerts[0]!.labels);
    assert.deepEqual(a?.annotations, n.alerts[0]!.annotations);
    assert.equal(a?.generatorURL, n.alerts[0]!.generatorURL);
    assert.equal(Date.parse(a!.startsAt), n.alerts[0]!.startsAt);
  });

  it('resolves them by posting endsAt', async () => {
    const r = await notifier.send(sampleNotification('resolved'), { signal: new AbortController().signal });
    assert.equal(r.ok, true, r.ok ? '' : r.message);
    assert.deepEqual(await ours(), [], 'resolved alerts are no longer active');
  });

  it('refuses a malformed alert with a permanent failure', async () => {
    const n = sampleNotification('firing');
    n.alerts[0]!.labels = {};
    const r = await notifier.send(n, { signal: new AbortController().signal });
    assert.equal(r.ok, false);
    assert.equal(!r.ok && r.retryable, false, r.ok ? '' : r.message);
  });
});
