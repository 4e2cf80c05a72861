/**
 * The delivery conformance suite every channel passes (DESIGN rule 3). Each channel's test file
 * calls `runNotifierConformance` with a harness that starts a real loopback receiver (HTTP or
 * SMTP) and builds the channel's notifier against it.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { DeliveryResult } from './delivery-result.ts';
import type { Notification } from './notification.ts';
import type { Notifier } from './notifier.ts';
import type { ReceivedRequest, TestReceiver } from './test-receivers.ts';
import { refusedAddress } from './test-receivers.ts';

/** What a channel's test supplies to the suite. */
export interface ConformanceHarness {
  /** Starts the channel's receiver (HTTP with the channel's ok reply, or SMTP). */
  startReceiver(): Promise<TestReceiver>;
  /** Builds the notifier against `address` (as the receiver reports it), resolved sends enabled. */
  makeNotifier(address: string, timeoutMs: number): Notifier;
  /** Asserts that what arrived carries the notification. */
  checkReceived(got: ReceivedRequest, n: Notification): void;
  /** A 200 with a garbage body: the channel contract says failure, success, or (SMTP) not applicable. */
  garbage: 'failure' | 'success' | 'not-applicable';
  /** Formats a refused `host:port` as an address for makeNotifier (default `http://host:port`). */
  refusedAddress?(hostPort: string): string;
}

/** A small firing notification with two alerts. */
export function sampleNotification(status: 'firing' | 'resolved' = 'firing'): Notification {
  const alert = (instance: string) => ({
    labels: { alertname: 'HighErrorRate', severity: 'critical', team: 'ml', instance },
    annotations: { summary: `error rate above 5% on ${instance}` },
    state: status,
    startsAt: Date.UTC(2026, 0, 1),
    ...(status === 'resolved' ? { endsAt: Date.UTC(2026, 0, 1, 0, 10) } : {}),
    fingerprint: `fp-${instance}`,
    generatorURL: `http://nines.local/rules/HighErrorRate?instance=${instance}`,
  });
  return {
    receiver: 'team-ml',
    groupKey: '{}:{alertname="HighErrorRate"}',
    groupLabels: { alertname: 'HighErrorRate' },
    commonLabels: { alertname: 'HighErrorRate', severity: 'critical', team: 'ml' },
    commonAnnotations: {},
    alerts: [alert('gpt-a'), alert('gpt-b')],
    status,
  };
}

/** Timeout of the notifier used for the slow-receiver test; the other tests allow a generous one (cold starts on busy CI). */
const TIMEOUT_MS = 300;
const GENEROUS_TIMEOUT_MS = 5000;

async function sendSafely(
  notifier: Notifier,
  n: Notification,
  signal = new AbortController().signal,
): Promise<DeliveryResult> {
  try {
    return await notifier.send(n, { signal, idempotencyKey: 'conformance-key' });
  } catch (err) {
    assert.fail(`send threw instead of resolving with a result: ${String(err)}`);
  }
}

function assertFailure(r: DeliveryResult, retryable: boolean, label: string): void {
  assert.equal(r.ok, false, `${label}: expected a failure, got success`);
  if (!r.ok) {
    assert.equal(r.retryable, retryable, `${label}: retryable should be ${retryable} (${r.message})`);
    assert.ok(r.message.length > 0, `${label}: failure needs a message`);
  }
}

/** Registers the delivery conformance tests for one channel under `describe(name)`. */
export function runNotifierConformance(name: string, harness: ConformanceHarness): void {
  describe(`${name} delivery conformance`, () => {
    let receiver: TestReceiver;
    let notifier: Notifier;
    before(async () => {
      receiver = await harness.startReceiver();
      receiver.slowMs = TIMEOUT_MS * 6;
      notifier = harness.makeNotifier(receiver.address, GENEROUS_TIMEOUT_MS);
    });
    after(() => receiver.close());

    it('delivers a firing then a resolved notification', async () => {
      receiver.mode = 'ok';
      receiver.received.length = 0;
      for (const status of ['firing', 'resolved'] as const) {
        const n = sampleNotification(status);
        const r = await sendSafely(notifier, n);
        assert.equal(r.ok, true, `${status}: ${r.ok ? '' : r.message}`);
        assert.equal(r.ok && r.skipped, undefined, `${status} must be sent, not skipped`);
        harness.checkReceived(receiver.received.at(-1)!, n);
      }
      assert.equal(receiver.received.length, 2);
    });

    it('maps an unavailable receiver (5xx / SMTP 4xx) to a retryable failure', async () => {
      receiver.mode = 'unavailable';
      assertFailure(await sendSafely(notifier, sampleNotification()), true, 'unavailable');
    });

    it('maps rate limiting (429 / SMTP 452) to a retryable failure', async () => {
      receiver.mode = 'rate_limited';
      assertFailure(await sendSafely(notifier, sampleNotification()), true, 'rate limited');
    });

    it('maps a rejection (4xx / SMTP 5xx) to a permanent failure', async () => {
      receiver.mode = 'rejected';
      assertFailure(await sendSafely(notifier, sampleNotification()), false, 'rejected');
    });

    it('turns a receiver slower than the timeout into a retryable TIMEOUT', async () => {
      receiver.mode = 'slow';
      const started = Date.now();
      const r = await sendSafely(harness.makeNotifier(receiver.address, TIMEOUT_MS), sampleNotification());
      assertFailure(r, true, 'slow');
      assert.equal(!r.ok && r.code, 'TIMEOUT');
      assert.ok(Date.now() - started < TIMEOUT_MS * 5, 'the timeout must cut the wait short');
    });

    it('handles a 200 with a garbage body per the channel contract', async (t) => {
      if (harness.garbage === 'not-applicable') return t.skip('no garbage replies on this protocol');
      receiver.mode = 'garbage';
      const r = await sendSafely(notifier, sampleNotification());
      if (harness.garbage === 'success') assert.equal(r.ok, true, r.ok ? '' : r.message);
      else assertFailure(r, true, 'garbage');
    });

    it('maps a refused connection to a retryable failure', async () => {
      const hostPort = await refusedAddress();
      const address = harness.refusedAddress ? harness.refusedAddress(hostPort) : `http://${hostPort}`;
      const r = await sendSafely(harness.makeNotifier(address, TIMEOUT_MS), sampleNotification());
      assertFailure(r, true, 'refused');
    });

    it('resolves (never throws) when cancelled', async () => {
      receiver.mode = 'slow';
      const ac = new AbortController();
      const pending = sendSafely(notifier, sampleNotification(), ac.signal);
      setTimeout(() => ac.abort(), 20);
      assertFailure(await pending, true, 'cancelled');
    });
  });
}
