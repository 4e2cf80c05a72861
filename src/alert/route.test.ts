// Routing tree with Alertmanager semantics: first match wins, `continue`, inheritance, group_by.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { alertingSchema } from '../config/alerting.ts';
import { buildRouteTree, groupKeyFor, groupLabelsFor, matchRoutes } from './route.ts';

const config = alertingSchema.parse({
  receivers: [
    { name: 'default' },
    { name: 'pager' },
    { name: 'slack' },
    { name: 'team-openai' },
    { name: 'audit' },
  ],
  route: {
    receiver: 'default',
    group_by: ['alertname'],
    group_wait: '10s',
    routes: [
      { receiver: 'audit', matchers: ['severity=~"page|ticket"'], continue: true, group_by: ['...'] },
      {
        receiver: 'pager',
        matchers: ['severity="page"'],
        group_by: ['provider'],
        routes: [{ receiver: 'team-openai', matchers: ['provider="openai"'], group_interval: '1m' }],
      },
      { receiver: 'slack', matchers: ['severity="ticket"'] },
    ],
  },
});
const root = buildRouteTree(config.route!);

test('route: continue sends to the next matching sibling too; nested route wins over its parent', () => {
  const routes = matchRoutes(root, { alertname: 'ModelDown', severity: 'page', provider: 'openai' });
  assert.deepEqual(
    routes.map((r) => r.receiver),
    ['audit', 'team-openai'],
  );
});

test('route: without continue the first match stops the walk; the parent takes unmatched children', () => {
  assert.deepEqual(
    matchRoutes(root, { alertname: 'X', severity: 'page', provider: 'anthropic' }).map((r) => r.receiver),
    ['audit', 'pager'],
  );
  assert.deepEqual(
    matchRoutes(root, { alertname: 'X', severity: 'info' }).map((r) => r.receiver),
    ['default'],
  );
});

test('route: children inherit group_by and timings; "..." groups by every label', () => {
  const [audit, team] = matchRoutes(root, {
    alertname: 'ModelDown',
    severity: 'page',
    provider: 'openai',
    model: 'gpt-4o',
  });
  assert.equal(team!.groupWaitMs, 10_000);
  assert.equal(team!.groupIntervalMs, 60_000);
  assert.equal(team!.repeatIntervalMs, 4 * 3_600_000);
  assert.deepEqual(groupLabelsFor(team!, { alertname: 'A', provider: 'openai', model: 'm' }), {
    provider: 'openai',
  });
  assert.deepEqual(groupLabelsFor(audit!, { alertname: 'A', severity: 'page' }), {
    alertname: 'A',
    severity: 'page',
  });
  assert.equal(audit!.groupBy, 'all');
  assert.equal(
    groupKeyFor(team!, { provider: 'openai' }),
    '{}/{severity="page"}/{provider="openai"}:{provider="openai"}',
  );
});
