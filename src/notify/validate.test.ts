import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { sampleNotification } from './conformance.ts';
import { createIntegrations, createNotifier } from './create-notifier.ts';
import { renderTemplate, templateProblem } from './template.ts';
import { validateReceiver, validateReceivers } from './validate.ts';
import { buildWebhookPayload } from './webhook.ts';

const lines = (config: unknown, env?: Record<string, string>) =>
  validateReceiver(config, { path: 'receivers[1]', env }).map((p) => `${p.path}: ${p.message}`);

describe('validateReceiver', () => {
  it('accepts a receiver with every channel', () => {
    assert.deepEqual(
      lines(
        {
          name: 'team-ml',
          webhook_configs: [
            { url: 'http://hooks.local/x', max_alerts: 10, http_headers: { 'x-team': 'ml' } },
          ],
          slack_configs: [
            { api_url: '${SLACK_URL}', channel: '#ml', title: '{{ .CommonLabels.alertname }}' },
          ],
          pagerduty_configs: [{ routing_key: '${PD_KEY}', severity_map: { page: 'critical' } }],
          email_configs: [
            { to: ['a@x.io'], from: 'n@x.io', smarthost: 'smtp.x.io:587', starttls: 'required' },
          ],
          alertmanager_configs: [{ urls: ['http://am:9093'] }],
        },
        { SLACK_URL: 'https://hooks.slack.com/services/T/B/X', PD_KEY: 'k' },
      ),
      [],
    );
  });

  it('locates missing, unknown and malformed fields by path', () => {
    assert.deepEqual(
      lines({
        name: 'team-ml',
        pagerduty_configs: [{ severity: 'urgent', servce_key: 'x' }],
        webhook_configs: [{ url: 'ftp://x', timeout: 'soon' }],
        email_configs: [{ to: 'a@x.io', from: 'n@x.io', smarthost: 'smtp.x.io' }],
      }).sort(),
      [
        'receivers[1].email_configs[0].smarthost: must be host:port',
        'receivers[1].pagerduty_configs[0].routing_key: required',
        'receivers[1].pagerduty_configs[0].servce_key: unknown field',
        'receivers[1].pagerduty_configs[0].severity: Invalid option: expected one of "critical"|"error"|"warning"|"info"',
        'receivers[1].webhook_configs[0].timeout: must be a positive duration such as 500ms, 10s, 1m',
        'receivers[1].webhook_configs[0].url: must be an http(s) URL',
      ],
    );
  });

  it('refuses unknown template fields and unset environment variables at load', () => {
    assert.deepEqual(
      lines({ name: 'x', slack_configs: [{ api_url: '${NOPE}', title: '{{ .Labels.x }}' }] }, {}),
      [
        'receivers[1].slack_configs[0].title: unknown template field "{{ .Labels.x }}" (use .Status, .StatusUpper, .Receiver, .GroupKey, .ExternalURL, .NumAlerts, .NumFiring, .NumResolved, or .GroupLabels.<name>, .CommonLabels.<name>, .CommonAnnotations.<name>)',
      ],
    );
    assert.deepEqual(lines({ name: 'x', slack_configs: [{ api_url: '${NOPE}' }] }, {}), [
      'receivers[1].slack_configs[0].api_url: environment variable NOPE is not set',
    ]);
  });

  it('accepts the receiver-level fields src/config owns (send_resolved, rate_limit)', () => {
    assert.deepEqual(
      lines({
        name: 'x',
        send_resolved: false,
        rate_limit: { max: 5, per: '1h' },
        webhook_configs: [{ url: 'http://h/' }],
      }),
      [],
    );
  });

  it('refuses a receiver with no channel, and unknown top-level fields', () => {
    assert.deepEqual(lines({ name: 'x' }), [
      'receivers[1]: has no channel configs (add one of webhook_configs, slack_configs, pagerduty_configs, email_configs, alertmanager_configs)',
    ]);
    assert.deepEqual(lines({ name: 'x', opsgenie_configs: [] }), [
      'receivers[1].opsgenie_configs: unknown field',
    ]);
  });

  it('validates a list, naming each receiver by index and refusing duplicate names', () => {
    const hook = { url: 'http://h.local/' };
    assert.deepEqual(
      validateReceivers([
        { name: 'a', webhook_configs: [hook] },
        { name: 'b', webhook_configs: [{ url: 'nope' }] },
        { name: 'a', webhook_configs: [hook] },
      ]).map((p) => `${p.path}: ${p.message}`),
      [
        'receivers[1].webhook_configs[0].url: must be an http(s) URL',
        'receivers[2].name: duplicate receiver name "a" (also receivers[0])',
      ],
    );
  });

  it('createNotifier throws a VALIDATION error listing the problems', () => {
    assert.throws(() => createNotifier({ name: 'x', webhook_configs: [{}] }), {
      code: 'VALIDATION',
      message: 'receiver.webhook_configs[0].url: required',
    });
  });

  it('expands ${ENV} and names each integration', () => {
    const [slack] = createIntegrations(
      { name: 'ml', slack_configs: [{ api_url: '${SLACK_URL}' }] },
      { env: { SLACK_URL: 'https://hooks.slack.com/services/T/B/X' } },
    );
    assert.equal(slack?.id, 'ml/slack_configs[0]');
    assert.equal(slack?.notifier.kind, 'slack');
  });
});

describe('templates and payloads', () => {
  it('renders placeholders; absent labels render empty', () => {
    const n = sampleNotification();
    assert.equal(
      renderTemplate(
        '[{{ .StatusUpper }}:{{.NumFiring}}] {{ .CommonLabels.alertname }} {{ .CommonLabels.nope }}|{{ .Receiver }}',
        n,
      ),
      '[FIRING:2] HighErrorRate |team-ml',
    );
    assert.equal(templateProblem('{{ .Alerts }}')?.startsWith('unknown template field'), true);
    assert.equal(templateProblem('{{ .Status'), 'unclosed "{{" in template');
  });

  it('truncates the webhook payload to max_alerts and counts the rest', () => {
    const p = buildWebhookPayload({ ...sampleNotification(), truncatedAlerts: 3 }, 1);
    assert.equal(p.alerts.length, 1);
    assert.equal(p.truncatedAlerts, 4);
    assert.equal(p.version, '4');
    assert.equal(
      buildWebhookPayload(sampleNotification(), 0, 'http://nines.example').externalURL,
      'http://nines.example',
    );
  });
});
