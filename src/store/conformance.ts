/**
 * The one test suite every `Store` backend must pass (DESIGN rule 3). Each backend's test file
 * calls `runStoreConformance(name, makeStore)`; `makeStore` returns a fresh, empty, un-migrated store.
 */
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { QuantileSketch } from '../core/sketch.ts';
import { DAY, HOUR, MIN, T0, request, result, type WithStore } from './conformance-fixtures.ts';
import { rollupCases } from './conformance-rollups.ts';
import type { ProbeResult, Store } from './types.ts';

/** Registers the conformance suite for one backend under `describe(name)`. */
export function runStoreConformance(name: string, makeStore: () => Promise<Store>): void {
  const withStore: WithStore = (title, body) =>
    test(title, async () => {
      const store = await makeStore();
      try {
        await store.migrate();
        await body(store);
      } finally {
        await store.close();
      }
    });

  describe(`Store conformance: ${name}`, () => {
    rollupCases(withStore);

    withStore('results round trip with and without optional fields', async (store) => {
      const full: ProbeResult = {
        target: 'gpt',
        at: T0 + 1000,
        outcome: 'failed',
        latencyMs: 812.5,
        timings: { dnsMs: 1, connectMs: 2.5, tlsMs: 10, ttfbMs: 300, ttftMs: 400, totalMs: 812.5 },
        status: 503,
        errorClass: 'http_5xx',
        error: 'upstream said "no"; retry later',
        outputTokens: 42,
        tokensPerSec: 88.5,
        certDaysLeft: 30,
        assertions: [{ expr: 'status == 200', ok: false, severity: 'fail', actual: '503' }],
        location: 'eu-west',
      };
      const minimal = result('gpt', T0 + 2000, 100);
      await store.insertResults([full, minimal]);
      assert.deepEqual(await store.queryResults({ from: T0, to: T0 + MIN }), [full, minimal]);
      assert.deepEqual(await store.queryResults({ from: T0, to: T0 + MIN, onlyFailures: true }), [full]);
      assert.deepEqual(await store.queryResults({ from: T0, to: T0 + MIN, limit: 1 }), [full]);
      assert.deepEqual(await store.queryResults({ from: T0, to: T0 + MIN, target: 'other' }), []);
    });

    withStore('range queries are [from, to) and empty ranges return nothing', async (store) => {
      await store.insertResults([result('a', T0, 1), result('a', T0 + 10, 2), result('a', T0 + 20, 3)]);
      await store.insertEvents([{ target: 'a', at: T0 + 10, from: 'up', to: 'down', reason: 'x' }]);
      await store.insertRequests([request('r1', T0 + 10)]);
      const at = async (from: number, to: number) =>
        (await store.queryResults({ from, to })).map((r) => r.at);
      assert.deepEqual(await at(T0, T0 + 20), [T0, T0 + 10]);
      assert.deepEqual(await at(T0 + 10, T0 + 21), [T0 + 10, T0 + 20]);
      assert.deepEqual(await at(T0 + 10, T0 + 10), []);
      const newest = await store.queryResults({
        from: T0,
        to: T0 + 20,
        target: 'a',
        limit: 1,
        newestFirst: true,
      });
      assert.deepEqual(
        newest.map((r) => r.at),
        [T0 + 10],
      );
      assert.deepEqual(await store.queryEvents({ from: T0 + 10, to: T0 + 10 }), []);
      assert.equal((await store.queryEvents({ from: T0 + 10, to: T0 + 11 })).length, 1);
      assert.deepEqual(await store.queryRequests({ from: T0, to: T0 + 10 }), []);
      assert.deepEqual(await store.queryRollups({ from: T0 + MIN, to: T0 + 2 * MIN, tier: 'minute' }), []);
      assert.equal((await store.queryRollups({ from: T0, to: T0 + 1, tier: 'minute' })).length, 1);
      assert.deepEqual(await store.queryRequestRollups({ from: T0, to: T0, tier: 'hour' }), []);
      await store.insertResults([]);
      await store.insertEvents([]);
      await store.insertRequests([]);
    });

    withStore('events come back oldest first; lastEventBefore is strictly before', async (store) => {
      await store.insertEvents([
        { target: 'a', at: T0 + 30, from: 'down', to: 'up', reason: 'recovered' },
        { target: 'a', at: T0 + 10, from: 'unknown', to: 'up', reason: 'first' },
        { target: 'b', at: T0 + 20, from: 'up', to: 'degraded', reason: 'slow' },
      ]);
      await store.insertEvents([{ target: 'a', at: T0 + 20, from: 'up', to: 'down', reason: 'timeouts' }]);
      const events = await store.queryEvents({ from: T0, to: T0 + 100 });
      assert.deepEqual(
        events.map((e) => [e.target, e.at]),
        [
          ['a', T0 + 10],
          ['b', T0 + 20],
          ['a', T0 + 20],
          ['a', T0 + 30],
        ],
      );
      assert.deepEqual(
        (await store.queryEvents({ from: T0, to: T0 + 100, target: 'a', limit: 2 })).map((e) => e.reason),
        ['first', 'timeouts'],
      );
      assert.deepEqual(await store.lastEventBefore('a', T0 + 30), {
        target: 'a',
        at: T0 + 20,
        from: 'up',
        to: 'down',
        reason: 'timeouts',
      });
      assert.equal((await store.lastEventBefore('a', T0 + 31))?.reason, 'recovered');
      assert.equal(await store.lastEventBefore('a', T0 + 10), undefined);
      assert.equal(await store.lastEventBefore('nobody', T0 + 1000), undefined);
      const many = await store.lastEventsBefore(['a', 'b', 'nobody', 'a'], T0 + 30);
      assert.deepEqual([...many].map(([t, e]) => [t, e.reason]).sort(), [
        ['a', 'timeouts'],
        ['b', 'slow'],
      ]);
      assert.deepEqual(many.get('a'), await store.lastEventBefore('a', T0 + 30));
      assert.equal((await store.lastEventsBefore([], T0 + 30)).size, 0);
    });

    withStore('request records round trip and roll up per route and deployment', async (store) => {
      const full = request('req-1', T0 + 5, {
        keyId: 'key-7',
        endpoint: 'chat',
        deployment: 'azure-east',
        provider: 'azure',
        upstreamModel: 'gpt-4o',
        status: 502,
        outcome: 'error',
        errorType: 'upstream_error',
        latencyMs: 900,
        ttftMs: 300,
        inputTokens: 12,
        outputTokens: 0,
        attempts: 2,
        failovers: 1,
        stream: true,
        prompt: 'hi',
        answer: '',
      });
      const bare = request('req-2', T0 + MIN + 5, { route: 'embed', endpoint: 'embeddings', cached: true });
      await store.insertRequests([full, bare]);
      await store.insertRequests([
        request('req-3', T0 + 6, { deployment: 'azure-east', inputTokens: 3, outputTokens: 9 }),
      ]);
      assert.deepEqual(await store.queryRequests({ from: T0, to: T0 + 2 * MIN, route: 'embed' }), [bare]);
      assert.deepEqual(
        (await store.queryRequests({ from: T0, to: T0 + 2 * MIN })).map((r) => r.id),
        ['req-1', 'req-3', 'req-2'],
      );
      assert.deepEqual((await store.queryRequests({ from: T0, to: T0 + 2 * MIN, limit: 1 }))[0], full);

      const rollups = await store.queryRequestRollups({ from: T0, to: T0 + HOUR, tier: 'hour' });
      assert.deepEqual(
        rollups.map((r) => [
          r.route,
          r.deployment,
          r.total,
          r.errors,
          r.inputTokens,
          r.outputTokens,
          r.failovers,
          r.cached,
        ]),
        [
          ['chat-default', 'azure-east', 2, 1, 15, 9, 1, 0],
          ['embed', '', 1, 0, 0, 0, 0, 1],
        ],
      );
      const chat = rollups[0]!;
      assert.equal(chat.latencySumMs, 1000);
      assert.equal(chat.ttftCount, 1);
      assert.equal(QuantileSketch.deserialize(chat.latencySketch).count, 2);
      const minutes = await store.queryRequestRollups({
        from: T0,
        to: T0 + HOUR,
        tier: 'minute',
        route: 'embed',
      });
      assert.deepEqual(
        minutes.map((r) => [r.bucket, r.total]),
        [[T0 + MIN, 1]],
      );
    });

    withStore('retention deletes each kind by its own tier and returns counts', async (store) => {
      const now = T0 + 100 * DAY;
      const policy = { rawMs: 7 * DAY, minuteMs: 35 * DAY, hourMs: 400 * DAY, requestsMs: 30 * DAY };
      const old = now - 40 * DAY; // past raw, minute and request retention; within hour retention
      const ancient = now - 500 * DAY; // past everything
      await store.insertResults([result('a', ancient, 1), result('a', old, 1), result('a', now - DAY, 1)]);
      await store.insertEvents([
        { target: 'a', at: ancient, from: 'unknown', to: 'up', reason: 'x' },
        { target: 'a', at: old, from: 'up', to: 'down', reason: 'y' },
      ]);
      await store.insertRequests([request('r1', ancient), request('r2', old), request('r3', now - DAY)]);
      const deleted = await store.applyRetention(now, policy);
      assert.deepEqual(deleted, {
        results: 2,
        events: 1,
        minuteRollups: 2,
        hourRollups: 1,
        dayRollups: 1,
        requests: 2,
        requestMinuteRollups: 2,
        requestHourRollups: 1,
      });
      const everything = { from: 0, to: now + DAY };
      assert.equal((await store.queryResults(everything)).length, 1);
      assert.equal((await store.queryEvents(everything)).length, 1);
      assert.equal((await store.queryRollups({ ...everything, tier: 'minute' })).length, 1);
      assert.equal((await store.queryRollups({ ...everything, tier: 'hour' })).length, 2);
      assert.equal((await store.queryRequests(everything)).length, 1);
      // Writing into a bucket after retention starts it afresh.
      await store.insertResults([result('a', old, 1)]);
      const hour = await store.queryRollups({ from: old - HOUR, to: old + HOUR, tier: 'hour' });
      assert.equal(hour[0]?.total, 2);
      assert.deepEqual(await store.applyRetention(now, policy), {
        results: 1,
        events: 0,
        minuteRollups: 1,
        hourRollups: 0,
        dayRollups: 0,
        requests: 0,
        requestMinuteRollups: 0,
        requestHourRollups: 0,
      });
    });

    withStore('migrate is idempotent and keeps data', async (store) => {
      await store.insertResults([result('a', T0, 1)]);
      await store.migrate();
      await store.migrate();
      assert.equal((await store.queryResults({ from: T0, to: T0 + 1 })).length, 1);
    });
  });
}
