import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { ManualClock } from '../core/clock.ts';
import { isNinesError } from '../core/errors.ts';
import { providerUrl, startSimServer, type SimServer } from './server.ts';

const clock = new ManualClock();
let server: SimServer;

before(async () => {
  server = await startSimServer({
    clock,
    providers: [
      {
        name: 'west',
        kind: 'openai',
        models: ['m'],
        schedule: [{ at: '2m', for: '1m', label: 'outage', fault: { errorRate: 1, errorStatuses: [503] } }],
        scheduleEvery: '10m',
      },
      {
        name: 'slow',
        kind: 'anthropic',
        models: ['c'],
        faults: { degrade: { over: '10m', errorRate: 1 }, errorStatuses: [529] },
      },
    ],
  });
});
after(() => server.close());

const status = async (name: string) => (await fetch(`${providerUrl(server, name)}/models`)).status;
const control = async (method: string, path: string, body?: unknown) => {
  const res = await fetch(`${server.url}/_sim${path}`, {
    method,
    headers: { 'content-type': 'application/json' },
    body: body === undefined ? null : JSON.stringify(body),
  });
  return { status: res.status, body: (await res.json()) as Record<string, unknown> };
};

test('a scheduled fault is active only inside its window, and repeats', async () => {
  assert.equal(await status('west'), 200);
  clock.advance(119_999);
  assert.equal(await status('west'), 200);
  clock.advance(1);
  assert.equal(await status('west'), 503);
  const view = await control('GET', '/providers/west/faults');
  assert.deepEqual(view.body.activeSchedule, [
    {
      label: 'outage',
      since: new Date(clock.now()).toISOString(),
      until: new Date(clock.now() + 60_000).toISOString(),
    },
  ]);
  clock.advance(59_999);
  assert.equal(await status('west'), 503);
  clock.advance(1);
  assert.equal(await status('west'), 200);
  clock.advance(10 * 60_000 - 30_000); // the next cycle's window
  assert.equal(await status('west'), 503);
  clock.advance(60_000);
});

test('degradation ramps over time (error rate reaches 1 at the end)', async () => {
  // 'slow' started degrading at server start; 13.5 minutes have passed.
  assert.equal(await status('slow'), 529);
});

test('control endpoint: read, replace and reset faults', async () => {
  const put = await control('PUT', '/providers/west/faults', { errorRate: 1, errorStatuses: [502] });
  assert.equal(put.status, 200);
  assert.deepEqual(put.body.faults, { errorRate: 1, errorStatuses: [502] });
  assert.equal(await status('west'), 502);
  const reset = await control('POST', '/providers/west/faults/reset');
  assert.deepEqual(reset.body.faults, {});
  assert.equal(await status('west'), 200);
});

test('control endpoint: invalid faults and unknown providers are refused clearly', async () => {
  const bad = await control('PUT', '/providers/west/faults', { errorRate: 2 });
  assert.equal(bad.status, 400);
  assert.match((bad.body.error as { message: string }).message, /^faults\.errorRate: /);
  const unknownField = await control('PUT', '/providers/west/faults', { explode: true });
  assert.equal(unknownField.status, 400);
  const missing = await control('GET', '/providers/nope/faults');
  assert.equal(missing.status, 404);
  assert.throws(
    () => server.setFaults('west', { down: 'sideways' } as never),
    (err: unknown) => isNinesError(err, 'VALIDATION'),
  );
});

test('control endpoint: providers and stats', async () => {
  const list = await control('GET', '/providers');
  assert.deepEqual(list.body.providers, [
    { name: 'west', kind: 'openai', baseUrl: `${server.url}/west/v1` },
    { name: 'slow', kind: 'anthropic', baseUrl: `${server.url}/slow` },
  ]);
  const stats = await control('GET', '/stats');
  const west = (
    stats.body.providers as Record<string, { requests: number; byStatus: Record<string, number> }>
  ).west!;
  assert.equal(west.requests, 8);
  assert.deepEqual(west.byStatus, { '200': 4, '503': 3, '502': 1 });
});

test('bad configs are refused with the field path', async () => {
  await assert.rejects(
    startSimServer({ providers: [{ name: 'a', kind: 'openai', models: ['m'], faults: { errorRate: -1 } }] }),
    /sim\.providers\.0\.faults\.errorRate/,
  );
  await assert.rejects(
    startSimServer({
      providers: [
        { name: 'a', kind: 'openai', models: ['m'] },
        { name: 'a', kind: 'openai', models: ['m'] },
      ],
    }),
    /duplicate provider a/,
  );
  await assert.rejects(
    startSimServer({
      providers: [
        { name: 'a', kind: 'openai', models: ['m'], schedule: [{ at: 'soon', for: '1m', fault: {} }] },
      ],
    }),
    /invalid duration/,
  );
});
