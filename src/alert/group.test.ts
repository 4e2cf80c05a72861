// Aggregation group timing exactly like Alertmanager: group_wait, group_interval, repeat_interval.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { harness, M, mkAlert, names, S, T0 } from './test-helpers.ts';

const config = {
  receivers: [{ name: 'team' }],
  route: {
    receiver: 'team',
    group_by: ['alertname'],
    group_wait: '30s',
    group_interval: '5m',
    repeat_interval: '1h',
  },
  resolve_timeout: '1d',
};

test('group: first flush after group_wait, changes every group_interval, resend after repeat_interval', () => {
  const h = harness(config);
  h.ingest(mkAlert({ alertname: 'ModelDown', model: 'a' }));
  assert.equal(h.at(29 * S).length, 0);
  const first = h.at(30 * S);
  assert.equal(first.length, 1);
  assert.deepEqual(names(first[0]!, 'model'), ['a:firing']);
  assert.equal(first[0]!.groupKey, '{}:{alertname="ModelDown"}');
  assert.equal(first[0]!.status, 'firing');

  h.clock.set(T0 + M);
  h.ingest(mkAlert({ alertname: 'ModelDown', model: 'b' }, 'firing', T0 + M));
  assert.equal(h.at(5 * M + 29 * S).length, 0, 'waits for group_interval');
  assert.deepEqual(names(h.at(5 * M + 30 * S)[0]!, 'model'), ['a:firing', 'b:firing']);

  assert.equal(h.at(10 * M + 30 * S).length, 0, 'unchanged group is not re-sent');
  for (let t = 15 * M + 30 * S; t < 65 * M + 30 * S; t += 5 * M) assert.equal(h.at(t).length, 0);
  assert.equal(h.at(65 * M + 30 * S).length, 1, 'repeat_interval since the last send');

  h.clock.set(T0 + 66 * M);
  h.ingest(mkAlert({ alertname: 'ModelDown', model: 'a' }, 'resolved', T0, T0 + 66 * M));
  const partial = h.at(70 * M + 30 * S);
  assert.deepEqual(names(partial[0]!, 'model'), ['a:resolved', 'b:firing']);

  h.clock.set(T0 + 71 * M);
  h.ingest(mkAlert({ alertname: 'ModelDown', model: 'b' }, 'resolved', T0 + M, T0 + 71 * M));
  const last = h.at(75 * M + 30 * S);
  assert.equal(last[0]!.status, 'resolved');
  assert.deepEqual(names(last[0]!, 'model'), ['b:resolved']);
  assert.equal(Object.keys(h.pipeline.exportState().groups).length, 0, 'empty group is removed');
  assert.equal(h.pipeline.alerts().length, 0);
});

test('group: an alert already older than group_wait flushes at once; separate groups per group label', () => {
  const h = harness(config);
  h.clock.set(T0 + 10 * M);
  h.ingest(mkAlert({ alertname: 'A' }, 'firing', T0), mkAlert({ alertname: 'B' }, 'firing', T0 + 10 * M));
  const now = h.at(10 * M);
  assert.deepEqual(
    now.map((n) => n.groupKey),
    ['{}:{alertname="A"}'],
  );
  assert.deepEqual(
    h.at(10 * M + 30 * S).map((n) => n.groupKey),
    ['{}:{alertname="B"}'],
  );
});

test('group: a flush whose send fails is retried at the next group_interval, not lost', () => {
  const h = harness(config);
  h.ingest(mkAlert({ alertname: 'A' }));
  h.failSends(1);
  assert.equal(h.at(30 * S).length, 0);
  assert.equal(h.at(5 * M + 30 * S).length, 1);
});

test('group: firing alerts not refreshed within resolve_timeout resolve', () => {
  const h = harness({ ...config, resolve_timeout: '10m' });
  h.ingest(mkAlert({ alertname: 'A' }));
  assert.equal(h.at(30 * S).length, 1);
  const later = h.at(10 * M + 30 * S);
  assert.equal(later[0]!.status, 'resolved');
  assert.equal(later[0]!.alerts[0]!.endsAt, T0 + 10 * M);
});
