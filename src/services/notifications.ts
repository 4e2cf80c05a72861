/**
 * The delivery side of alerting: one integration per receiver channel, the persistent outbox
 * (SQLite; see the note on PostgreSQL below), and the worker that delivers with retries. The
 * pipeline's synchronous `send` stage persists into the outbox and then kicks the worker so a
 * page leaves at once instead of at the next poll.
 *
 * With PostgreSQL storage the outbox still lives in a SQLite file beside the configured SQLite
 * path: the pipeline's send stage is synchronous and only SQLite can persist synchronously.
 */
import { dirname, join } from 'node:path';
import { mkdirSync } from 'node:fs';
import type { Clock } from '../core/clock.ts';
import type { Config } from '../config/resolve.ts';
import type { Notification } from '../alert/types.ts';
import { createIntegrations, type Integration } from '../notify/create-notifier.ts';
import { Outbox } from '../notify/outbox.ts';
import { openSqliteOutboxStore } from '../notify/outbox-sqlite.ts';
import { DeliveryWorker } from '../notify/delivery-worker.ts';
import type { OutboxStore } from '../notify/outbox-store.ts';
import { parseReceiver } from '../notify/validate.ts';
import { pagerDutyAcknowledge } from '../notify/pagerduty.ts';
import type { PagerDutyConfig } from '../notify/channel-config.ts';

/** The running delivery side. */
export interface Notifications {
  outbox: Outbox;
  worker: DeliveryWorker;
  /** Persists a notification for each of its receiver's integrations, then kicks the worker. */
  enqueue(n: Notification): void;
  /**
   * Tells PagerDuty an incident's page was acknowledged (event_action acknowledge with the
   * group's dedup_key). Sent directly, not through the outbox: a lost acknowledge only means
   * PagerDuty keeps escalating, which the responder sees.
   */
  acknowledge(groupKey: string): Promise<void>;
  close(): Promise<void>;
}

/** The outbox file for a config: the SQLite database itself, or `outbox.db` beside it with PostgreSQL. */
export function outboxPath(config: Config): string {
  const path = config.storage.sqlite.path;
  if (!config.storage.postgres && path !== ':memory:') return path;
  const dir = path === ':memory:' ? './data' : dirname(path);
  mkdirSync(dir, { recursive: true });
  return join(dir, 'outbox.db');
}

/** Builds integrations, outbox and worker, and starts the worker. */
export function startNotifications(
  config: Config,
  clock: Clock,
  log: (line: string) => void,
  store?: OutboxStore,
): Notifications {
  const integrations = new Map<string, Integration>();
  const byReceiver = new Map<string, Integration[]>();
  for (const r of config.alerting.receivers) {
    const list = createIntegrations(r, {
      ...(config.server.publicUrl ? { externalURL: config.server.publicUrl } : {}),
    });
    byReceiver.set(r.name, list);
    for (const i of list) integrations.set(i.id, i);
  }
  const pagerDuty: PagerDutyConfig[] = config.alerting.receivers.flatMap((r) =>
    r.pagerduty_configs?.length ? (parseReceiver(r, { env: process.env }).pagerduty_configs ?? []) : [],
  );
  const outboxStore = store ?? openSqliteOutboxStore(outboxPath(config));
  const outbox = new Outbox(outboxStore, clock);
  const worker = new DeliveryWorker({
    store: outboxStore,
    clock,
    resolve: (id) => integrations.get(id)?.notifier,
    onAttempt: (item, result) => {
      if (!result.ok)
        log(`notify: ${item.integration} ${result.retryable ? 'will retry' : 'gave up'}: ${result.message}`);
    },
    onError: (err) => log(`notify: delivery round failed: ${(err as Error).message}`),
  });
  worker.start();
  return {
    outbox,
    worker,
    enqueue(n) {
      const list = byReceiver.get(n.receiver) ?? [];
      if (list.length === 0) return;
      outbox.enqueueSync(
        n,
        list.map((i) => ({ id: i.id, receiver: i.receiver })),
      );
      void worker.runOnce().catch((err: unknown) => log(`notify: ${(err as Error).message}`));
    },
    async acknowledge(groupKey) {
      for (const pd of pagerDuty) {
        const result = await pagerDutyAcknowledge(pd, groupKey, { signal: AbortSignal.timeout(10_000) });
        if (!result.ok) log(`notify: PagerDuty acknowledge of ${groupKey} failed: ${result.message}`);
      }
    },
    async close() {
      await worker.stop();
      await (outboxStore as { close?: () => Promise<void> | void }).close?.();
    },
  };
}
