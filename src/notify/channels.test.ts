import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import {
  alertmanagerConfigSchema,
  emailConfigSchema,
  pagerDutyConfigSchema,
  slackConfigSchema,
  webhookConfigSchema,
} from './channel-config.ts';
import { createAlertmanagerNotifier } from './alertmanager.ts';
import { runNotifierConformance, sampleNotification } from './conformance.ts';
import { createEmailNotifier } from './email.ts';
import {
  buildPagerDutyEvent,
  createPagerDutyNotifier,
  pagerDutyAcknowledge,
  pagerDutyDedupKey,
} from './pagerduty.ts';
import { createSlackNotifier } from './slack.ts';
import { startHttpReceiver, startSmtpReceiver } from './test-receivers.ts';
import { createWebhookNotifier } from './webhook.ts';

const ms = (n: number) => `${n}ms`;

runNotifierConformance('webhook', {
  startReceiver: () => startHttpReceiver(),
  makeNotifier: (url, t) =>
    createWebhookNotifier(webhookConfigSchema.parse({ url: `${url}/hook`, timeout: ms(t) })),
  checkReceived(got, n) {
    const body = JSON.parse(got.body);
    assert.equal(body.version, '4');
    assert.equal(body.groupKey, n.groupKey);
    assert.equal(body.status, n.status);
    assert.equal(body.truncatedAlerts, 0);
    assert.equal(body.alerts.length, 2);
    assert.equal(body.alerts[0].status, n.status);
    assert.equal(body.alerts[0].startsAt, '2026-01-01T00:00:00.000Z');
    assert.equal(
      body.alerts[0].endsAt,
      n.status === 'firing' ? '0001-01-01T00:00:00Z' : '2026-01-01T00:10:00.000Z',
    );
    assert.equal(got.headers['idempotency-key'], 'conformance-key');
  },
  garbage: 'success',
});

runNotifierConformance('slack', {
  startReceiver: () => startHttpReceiver({ status: 200, body: 'ok' }),
  makeNotifier: (url, t) =>
    createSlackNotifier(
      slackConfigSchema.parse({
        api_url: `${url}/services/T/B/X`,
        channel: '#alerts',
        send_resolved: true,
        timeout: ms(t),
      }),
    ),
  checkReceived(got, n) {
    const body = JSON.parse(got.body);
    assert.equal(body.channel, '#alerts');
    assert.match(body.attachments[0].title, new RegExp(`^\\[${n.status.toUpperCase()}:2\\] HighErrorRate`));
    assert.equal(body.attachments[0].color, n.status === 'firing' ? 'danger' : 'good');
  },
  garbage: 'success',
});

runNotifierConformance('pagerduty', {
  startReceiver: () =>
    startHttpReceiver({
      status: 202,
      contentType: 'application/json',
      body: (req) =>
        JSON.stringify({
          status: 'success',
          message: 'Event processed',
          dedup_key: JSON.parse(req.body).dedup_key,
        }),
    }),
  makeNotifier: (url, t) =>
    createPagerDutyNotifier(
      pagerDutyConfigSchema.parse({ routing_key: 'R0UT1NG', url: `${url}/v2/enqueue`, timeout: ms(t) }),
    ),
  checkReceived(got, n) {
    const body = JSON.parse(got.body);
    assert.equal(body.routing_key, 'R0UT1NG');
    assert.equal(body.event_action, n.status === 'firing' ? 'trigger' : 'resolve');
    assert.equal(body.dedup_key, pagerDutyDedupKey(n.groupKey));
    if (n.status === 'firing') {
      assert.equal(body.payload.severity, 'critical');
      assert.match(body.payload.summary, /^\[FIRING:2\] HighErrorRate/);
      assert.equal(body.payload.source, 'nines');
    }
  },
  garbage: 'failure',
});

runNotifierConformance('email', {
  startReceiver: () => startSmtpReceiver(),
  makeNotifier: (hostPort, t) =>
    createEmailNotifier(
      emailConfigSchema.parse({
        to: 'oncall@example.com',
        from: 'nines@example.com',
        smarthost: hostPort,
        starttls: 'disabled',
        send_resolved: true,
        subject: '[{{ .StatusUpper }}] {{ .CommonLabels.alertname }} for {{ .CommonLabels.team }}',
        timeout: ms(t),
      }),
    ),
  refusedAddress: (hostPort) => hostPort,
  checkReceived(got, n) {
    assert.equal(got.path, 'oncall@example.com');
    assert.equal(got.headers['subject'], `[${n.status.toUpperCase()}] HighErrorRate for ml`);
    assert.equal(got.headers['x-nines-idempotency-key'], 'conformance-key');
    assert.match(got.body, /instance=gpt-a — error rate above 5% on gpt-a/);
    assert.match(got.body, new RegExp(`- \\[${n.status}\\] alertname=HighErrorRate`));
  },
  garbage: 'not-applicable',
});

runNotifierConformance('alertmanager', {
  startReceiver: () => startHttpReceiver({ status: 200, body: '' }),
  makeNotifier: (url, t) =>
    createAlertmanagerNotifier(alertmanagerConfigSchema.parse({ urls: [url], timeout: ms(t) })),
  checkReceived(got, n) {
    assert.equal(got.path, '/api/v2/alerts');
    const body = JSON.parse(got.body);
    assert.equal(body.length, 2);
    assert.deepEqual(body[0].labels, n.alerts[0]!.labels);
    assert.equal(body[0].generatorURL, n.alerts[0]!.generatorURL);
    assert.equal(body[0].startsAt, '2026-01-01T00:00:00.000Z');
    assert.equal(body[0].endsAt, n.status === 'resolved' ? '2026-01-01T00:10:00.000Z' : undefined);
  },
  garbage: 'success',
});

describe('pagerduty specifics', () => {
  const config = pagerDutyConfigSchema.parse({ routing_key: 'k', severity_map: { page: 'critical' } });

  it('keeps one dedup_key per alert group across trigger and resolve', () => {
    const trigger = buildPagerDutyEvent(sampleNotification('firing'), config);
    const resolve = buildPagerDutyEvent(sampleNotification('resolved'), config);
    assert.equal(trigger['event_action'], 'trigger');
    assert.equal(resolve['event_action'], 'resolve');
    assert.equal(trigger['dedup_key'], resolve['dedup_key']);
    assert.match(String(trigger['dedup_key']), /^[0-9a-f]{64}$/);
  });

  it('maps severities through severity_map, falling back to the default', () => {
    const n = sampleNotification();
    n.commonLabels['severity'] = 'page';
    assert.equal((buildPagerDutyEvent(n, config)['payload'] as { severity: string }).severity, 'critical');
    n.commonLabels['severity'] = 'whatever';
    assert.equal((buildPagerDutyEvent(n, config)['payload'] as { severity: string }).severity, 'error');
  });

  it('acknowledges an alert group with the same dedup_key', async () => {
    const receiver = await startHttpReceiver({ status: 202, body: '{"status":"success","dedup_key":"x"}' });
    try {
      const c = pagerDutyConfigSchema.parse({ routing_key: 'k', url: `${receiver.address}/v2/enqueue` });
      const r = await pagerDutyAcknowledge(c, '{}:{alertname="HighErrorRate"}', {
        signal: new AbortController().signal,
      });
      assert.equal(r.ok, true);
      const body = JSON.parse(receiver.received[0]!.body);
      assert.deepEqual(body, {
        routing_key: 'k',
        event_action: 'acknowledge',
        dedup_key: pagerDutyDedupKey('{}:{alertname="HighErrorRate"}'),
      });
    } finally {
      await receiver.close();
    }
  });
});
