/**
 * End-to-end tests of the dashboard and the status page in headless Chromium against the real
 * server (`startNines` with simulated providers, probes, SQLite, alerting, incidents, gateway).
 * The tests run in order and share one outage: chat-flaky is taken down once, which fires the
 * real TargetDown page (an incident, a webhook, an alert to silence) and burns the SLO.
 * Screenshots go to test-artifacts/.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import type { BrowserContext, Page } from 'playwright-core';
import { ARTIFACTS, USERS, launchBrowser, login, startHarness, waitFor, type Harness } from './harness.ts';

/** The parts of GET /api/v1/slos items the tests read. */
interface SloView {
  name: string;
  firingTiers: string[];
  good: number;
  total: number;
}
/** The part of GET /api/v1/gateway the tests read. */
interface GatewayTraffic {
  traffic: { deployment: string; total: number }[];
}

/** In-page check (a string, so the page's CSP needs no eval of compiled helpers): text elements below 4.5:1. */
const CONTRAST_CHECK = `(() => {
  const lum = (c) => { const m = c.match(/[\\d.]+/g).map(Number); const f = (v) => { v /= 255; return v <= 0.03928 ? v / 12.92 : ((v + 0.055) / 1.055) ** 2.4; }; return 0.2126 * f(m[0]) + 0.7152 * f(m[1]) + 0.0722 * f(m[2]); };
  const bg = (el) => { for (let e = el; e; e = e.parentElement) { const c = getComputedStyle(e).backgroundColor; const a = c.match(/[\\d.]+/g); if (a && (a.length < 4 || Number(a[3]) > 0.5)) return c; } return 'rgb(255,255,255)'; };
  const out = [];
  for (const el of document.querySelectorAll('a, button, th, td, p, span, label, h1, h2, li, dt, dd')) {
    if (!el.childNodes.length || ![...el.childNodes].some((n) => n.nodeType === 3 && n.textContent.trim())) continue;
    const fg = lum(getComputedStyle(el).color), b = lum(bg(el));
    const ratio = (Math.max(fg, b) + 0.05) / (Math.min(fg, b) + 0.05);
    if (ratio < 4.5) out.push(el.tagName + '.' + el.className + ' "' + el.textContent.trim().slice(0, 30) + '" ' + ratio.toFixed(2));
  }
  return out.slice(0, 10);
})()`;

describe('dashboard (headless Chromium)', { timeout: 120_000 }, () => {
  let h: Harness;
  let browser: Awaited<ReturnType<typeof launchBrowser>>;
  let context: BrowserContext;
  let page: Page;
  /** The incident the TargetDown page opened for chat-flaky (set by the outage test). */
  let incidentId = '';
  const pageErrors: string[] = [];

  before(async () => {
    [h, browser] = await Promise.all([startHarness(), launchBrowser()]);
    context = browser.context;
    page = await context.newPage();
    page.on('pageerror', (e) => pageErrors.push(String(e)));
    page.on('dialog', (d) => {
      pageErrors.push(`dialog: ${d.message()}`);
      void d.dismiss();
    });
  });
  after(async () => {
    await browser?.close();
    await h?.close();
    assert.deepEqual(pageErrors, [], 'no script errors or injected dialogs');
  });

  const shot = (name: string) => page.screenshot({ path: join(ARTIFACTS, `${name}.png`), fullPage: true });
  const row = (name: string) => page.locator(`tr[data-target="${name}"]`);

  test('a wrong password is refused with a message; login shows the overview', async () => {
    await page.goto(`${h.url}/`);
    await page.getByRole('heading', { name: 'Log in to nines' }).waitFor();
    await page.getByLabel('User name').fill('oper');
    await page.getByLabel('Password').fill('wrong-password');
    await page.getByRole('button', { name: 'Log in' }).click();
    await page.getByRole('alert').filter({ hasText: 'wrong user name or password' }).waitFor();
    await shot('login');
    await login(page, h.url, 'oper', USERS.oper);
    await row('chat-east').waitFor();
    assert.equal(await page.locator('tbody tr[data-target]').count(), 3);
    const bars = row('chat-east').locator('svg.bars');
    await bars.waitFor();
    const box = (await bars.boundingBox())!;
    await page.mouse.move(box.x + box.width - 2, box.y + box.height / 2);
    const tip = await page.locator('.tooltip').textContent();
    assert.match(
      tip ?? '',
      /^\d{4}-\d{2}-\d{2}: (\d+\.\d+% available|no data)/,
      `hover shows the day: ${tip}`,
    );
    const label = await row('chat-east').locator('.label', { hasText: 'team=' }).textContent();
    assert.equal(label, 'team=<img src=x onerror=alert(1)>', 'label shown as text, not markup');
    await row('chat-east').locator('.badge.state-up').waitFor({ timeout: 10_000 });
    await shot('overview');
  });

  test('filter and group by label', async () => {
    await page.getByLabel('Filter').fill('region=east');
    await page.waitForFunction(() => document.querySelectorAll('tbody tr[data-target]').length === 2);
    await page.getByLabel('Group by').selectOption('provider');
    await page.locator('tr.group', { hasText: 'provider = internal' }).waitFor();
    await page.getByLabel('Filter').fill('');
  });

  test('target page: charts, availability, failed checks with escaped errors', async () => {
    await page.goto(`${h.url}/#/targets/chat-flaky`);
    await page.getByRole('heading', { name: /chat-flaky/ }).waitFor();
    await page.locator('svg.chart').first().waitFor();
    await page.getByRole('heading', { name: 'Availability' }).waitFor();
    await page.locator('td.error-text').first().waitFor();
    const errors = await page.locator('td.error-text').allTextContents();
    assert.ok(
      errors.some((e) => e.includes('HTTP 503 <b>from upstream</b>')),
      `errors: ${errors.slice(0, 3).join(' | ')}`,
    );
    await shot('target');
  });

  test('unknown ids in URLs give a clear message, never a blank page', async () => {
    await page.goto(`${h.url}/#/targets/does-not-exist`);
    await page.getByRole('alert').filter({ hasText: 'no target named "does-not-exist"' }).waitFor();
    await page.goto(`${h.url}/#/incidents/nope`);
    await page.getByRole('heading', { name: 'Could not load this page' }).waitFor();
    await page.goto(`${h.url}/#/no/such/page`);
    await page.getByRole('heading', { name: 'Page not found' }).waitFor();
  });

  test('a simulated outage shows on the open dashboard within threshold × interval + 2 s', async () => {
    await page.goto(`${h.url}/#/`);
    await row('chat-flaky').locator('.badge.state-up').waitFor({ timeout: 10_000 });
    const t0 = Date.now();
    h.sim.setFaults('flaky', { down: 'refuse' });
    await row('chat-flaky').locator('.badge.state-down').waitFor({ timeout: 8_000 });
    const elapsed = Date.now() - t0;
    console.log(`outage visible after ${elapsed} ms (budget 2 × 1 s + 2 s = 4000 ms)`);
    assert.ok(elapsed <= 4000, `took ${elapsed} ms`);
    await page.getByRole('status').filter({ hasText: '1 down' }).first().waitFor();
    await shot('overview-outage');
    // The real TargetDown rule (severity page, group_wait 0s) opens an incident and notifies the webhook.
    const incident = await waitFor('an incident for chat-flaky', async () =>
      (await h.nines.incidents.list()).find((i) => i.labels.target === 'chat-flaky' && i.state === 'open'),
    );
    incidentId = incident.id;
    assert.equal(incident.labels.alertname, 'TargetDown');
    await waitFor('the TargetDown webhook', () =>
      h.webhooks.find(
        (b) => b.status === 'firing' && b.alerts?.some((a) => a.labels?.alertname === 'TargetDown'),
      ),
    );
    const note = (text: string, isPublic: boolean) =>
      h.admin(`/incidents/${encodeURIComponent(incidentId)}/notes`, {
        method: 'POST',
        body: { text, public: isPublic },
      });
    await note('We are investigating elevated errors on chat.', true);
    await note('private: secret-internal db password rotated', false);
  });

  test('SLO list and detail, gateway traffic and breakers', async () => {
    // The outage burns chat-availability's budget fast enough to fire its 1h/5m page tier.
    const burning = await waitFor(
      'chat-availability firing its 1h/5m tier',
      async () =>
        ((await h.admin('/slos')) as { slos: SloView[] }).slos.find(
          (x) => x.name === 'chat-availability' && x.firingTiers.includes('1h/5m'),
        ),
      40_000,
      500,
    );
    assert.ok(burning.total > burning.good, 'failed probes counted');
    await page.goto(`${h.url}/#/`);
    await row('chat-flaky').locator('td.num.low-budget').waitFor();
    assert.equal(
      await row('chat-east').locator('td.num.low-budget').count(),
      0,
      'chat-east keeps its budget',
    );
    await page.goto(`${h.url}/#/slos`);
    await page.getByRole('link', { name: 'chat-latency' }).waitFor();
    await page.getByText(/firing: 1h\/5m/).waitFor();
    await shot('slos');
    await page.getByRole('link', { name: 'chat-availability' }).click();
    await page.getByRole('heading', { name: 'Burn-down' }).waitFor();
    await page.locator('svg.chart path.line').first().waitFor();
    await page.getByRole('rowheader', { name: '3d/6h' }).waitFor();
    const facts = await page.locator('dl.facts dd').allTextContents();
    assert.ok(
      facts.some((f) => /^\d+ \/ \d+$/.test(f)),
      `good / total events: ${facts.join(' | ')}`,
    );
    await shot('slo');
    await page.goto(`${h.url}/#/slos/nope`);
    await page.getByRole('alert').filter({ hasText: 'no SLO named "nope"' }).waitFor();

    // Requests through the real gateway while west is down: each fails over to east, and three
    // consecutive failures open west's breaker.
    for (let i = 0; i < 5; i++) {
      const res = await fetch(`${h.nines.gateway!.url}/v1/chat/completions`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ model: 'chat', messages: [{ role: 'user', content: 'What is 2 + 2?' }] }),
      });
      assert.equal(res.status, 200, await res.text());
    }
    await waitFor('gateway traffic in the store', async () =>
      ((await h.admin('/gateway')) as GatewayTraffic).traffic.some(
        (t) => t.deployment === 'east' && t.total >= 5,
      ),
    );
    await page.goto(`${h.url}/#/gateway`);
    await page.getByText('west via openai-west: open, opened 1×').waitFor();
    await page.getByText('east via openai-east: closed').waitFor();
    const east = page.locator('tbody tr', { has: page.getByRole('cell', { name: 'east', exact: true }) });
    await east.getByRole('cell', { name: '5', exact: true }).first().waitFor();
    await east.getByRole('cell', { name: '0.0%' }).first().waitFor();
    await shot('gateway');
  });

  test('an operator acknowledges, notes and resolves an incident; script in text stays text', async () => {
    await page.goto(`${h.url}/#/incidents`);
    await page.locator(`tr[data-incident="${incidentId}"] a`).click();
    await page.getByRole('heading', { name: /chat-flaky is down <script>/ }).waitFor();
    await page.getByRole('textbox', { name: 'Note' }).fill('<img src=x onerror="window.pwned=1"> looking');
    await page.getByRole('button', { name: 'Add note' }).click();
    await page.locator('.tl-text', { hasText: '<img src=x onerror="window.pwned=1"> looking' }).waitFor();
    await page.getByRole('button', { name: 'Acknowledge' }).click();
    await page.locator('h1 .badge', { hasText: 'acknowledged' }).waitFor();
    await shot('incident');
    await page.getByRole('button', { name: 'Resolve' }).click();
    await page.locator('h1 .badge', { hasText: 'resolved' }).waitFor();
    assert.equal(await page.evaluate(() => (window as unknown as { pwned?: number }).pwned), undefined);
    const pm = await page.evaluate(
      async (id) => (await fetch(`/api/v1/incidents/${id}/postmortem`)).status,
      incidentId,
    );
    assert.equal(pm, 200);
  });

  test('an operator creates a silence from the firing TargetDown alert and expires it', async () => {
    await page.goto(`${h.url}/#/alerts`);
    const alert = page
      .locator('tr[data-fingerprint]', { hasText: 'TargetDown' })
      .filter({ hasText: 'chat-flaky' });
    await alert.getByRole('button', { name: 'Silence…' }).click();
    // Every evaluation cycle re-publishes the firing alerts; the open form must survive that.
    const published = new Promise<void>((resolve) => {
      const off = h.bus.subscribe((e) => {
        if (e.type !== 'alert') return;
        off();
        resolve();
      });
    });
    h.nines.alerting.trigger();
    await published;
    const reloaded = await page
      .waitForResponse((r) => r.url().endsWith('/api/v1/alerts'), { timeout: 2_000 })
      .then(() => true)
      .catch(() => false);
    assert.equal(
      await page.getByLabel('Comment').count(),
      1,
      `silence form kept (list reloaded: ${reloaded})`,
    );
    await page.getByLabel('Comment').fill('deploying a fix');
    await page.getByRole('button', { name: 'Create silence' }).click();
    await page.getByText('Silence created.').waitFor();
    const silence = page.locator('tr[data-silence]', { hasText: 'deploying a fix' });
    await silence.getByRole('button', { name: 'Expire' }).waitFor();
    await alert.getByText('(silenced)').waitFor();
    const muted = await waitFor('the alert muted by the silence', async () =>
      (
        (await h.admin('/alerts')) as {
          alerts: { labels: Record<string, string>; mutedBy?: { by: string } }[];
        }
      ).alerts.find(
        (a) =>
          a.labels.alertname === 'TargetDown' &&
          a.labels.target === 'chat-flaky' &&
          a.mutedBy?.by === 'silence',
      ),
    );
    assert.ok(muted);
    await shot('alerts');
    await silence.getByRole('button', { name: 'Expire' }).click();
    await page.getByText('Silence expired.').waitFor();
    await alert.getByText('firing', { exact: true }).waitFor();
    assert.equal(await alert.getByText('(silenced)').count(), 0, 'no longer silenced');
  });

  test('keyboard: skip link and navigation are reachable; every control has a label', async () => {
    await page.goto(`${h.url}/#/`);
    await page.reload();
    await row('chat-east').waitFor();
    await page.keyboard.press('Tab');
    assert.equal(await page.evaluate(() => document.activeElement?.textContent), 'Skip to content');
    const focused: string[] = [];
    for (let i = 0; i < 6; i++) {
      await page.keyboard.press('Tab');
      focused.push((await page.evaluate(() => document.activeElement?.textContent ?? '')) || '');
    }
    assert.ok(
      focused.includes('Alerts') && focused.includes('Incidents'),
      `tab order: ${focused.join(', ')}`,
    );
    await page.keyboard.press('Enter');
    const unlabelled = await page.evaluate(
      () =>
        [...document.querySelectorAll('input, select, textarea, button')].filter((el) => {
          const e = el as HTMLInputElement;
          return !(
            e.labels?.length ||
            e.getAttribute('aria-label') ||
            (el.tagName === 'BUTTON' && el.textContent?.trim())
          );
        }).length,
    );
    assert.equal(unlabelled, 0);
  });

  test('text contrast is at least 4.5:1 (WCAG AA) on the overview and an incident', async () => {
    for (const route of ['#/', `#/incidents/${incidentId}`]) {
      await page.goto(`${h.url}/${route}`);
      await page.locator('h1').first().waitFor();
      await page.waitForTimeout(300);
      const low = (await page.evaluate(CONTRAST_CHECK)) as string[];
      assert.deepEqual(low, [], `low contrast on ${route}`);
    }
  });

  test('a viewer is refused an operator action with a clear message', async () => {
    await context.clearCookies();
    await login(page, h.url, 'vera', USERS.vera);
    await page.goto(`${h.url}/#/incidents/${incidentId}`);
    await page.locator('.actions button').first().click();
    await page
      .getByRole('alert')
      .filter({ hasText: /Refused: .*needs operator/ })
      .waitFor();
    await shot('viewer-refused');
    const noCsrf = await page.evaluate(
      async (id) =>
        (await fetch(`/api/v1/incidents/${id}/notes`, { method: 'POST', body: '{"text":"x"}' })).status,
      incidentId,
    );
    assert.equal(noCsrf, 403);
  });

  test('an expired session returns to the login form with a message', async () => {
    await context.clearCookies();
    await page.goto(`${h.url}/#/slos`);
    await page.getByRole('heading', { name: 'Log in to nines' }).waitFor();
    await page.goto(`${h.url}/#/`);
    await login(page, h.url, 'vera', USERS.vera);
    await context.clearCookies();
    await page.getByRole('link', { name: 'Incidents' }).click();
    await page.getByText(/Your session has ended/).waitFor();
  });

  test('the public status page shows public names only and escapes text', async () => {
    const res = await page.goto(`${h.url}/status/public`);
    assert.equal(res?.status(), 200);
    assert.match(res?.headers()['content-security-policy'] ?? '', /script-src 'self'/);
    const html = await page.content();
    for (const secret of [
      'secret-internal',
      'chat-flaky',
      'chat-east',
      'region',
      'provider',
      'private:',
      '127.0.0.1',
      'TargetDown',
    ]) {
      assert.ok(!html.includes(secret), `status page leaks "${secret}"`);
    }
    assert.ok(html.includes('Acme &lt;AI&gt; status') || (await page.title()) === 'Acme <AI> status');
    await page.getByRole('heading', { name: 'Chat API (West)', exact: true }).waitFor();
    await page.getByText('We are investigating elevated errors on chat.').waitFor();
    await shot('status-page');
    const json = await (await fetch(`${h.url}/status/public/api.json`)).text();
    for (const secret of ['secret-internal', 'chat-flaky', 'private:'])
      assert.ok(!json.includes(secret), `api.json leaks ${secret}`);
    const missing = await fetch(`${h.url}/status/<script>`);
    assert.equal(missing.status, 404);
    assert.ok(!(await missing.text()).includes('<script>'));
  });

  test('an admin creates a user; changing a password logs out the other sessions', async () => {
    await context.clearCookies();
    await login(page, h.url, 'admin', USERS.admin);
    await page.getByRole('link', { name: /Account: admin/ }).click();
    await page.getByRole('heading', { name: 'Users' }).waitFor();
    await page.getByLabel('User name').fill('newbie');
    await page.getByLabel('Role').selectOption('operator');
    await page.getByLabel('Initial password (at least 10 characters)').fill('newbie-password-1');
    await page.getByRole('button', { name: 'Create user' }).click();
    await page.getByRole('rowheader', { name: 'newbie' }).waitFor();
    await shot('account');
    const other = await fetch(`${h.url}/api/v1/session`, {
      method: 'POST',
      body: JSON.stringify({ name: 'newbie', password: 'newbie-password-1' }),
    });
    const otherCookie = other.headers.get('set-cookie')!.split(';')[0]!;
    await context.clearCookies();
    await login(page, h.url, 'newbie', 'newbie-password-1');
    await page.goto(`${h.url}/#/account`);
    await page.getByLabel('Current password').fill('newbie-password-1');
    await page.getByLabel('New password (at least 10 characters)').fill('newbie-password-2');
    await page.getByRole('button', { name: 'Change password' }).click();
    await page.getByText('1 other session(s) logged out').waitFor();
    assert.equal((await fetch(`${h.url}/api/v1/session`, { headers: { cookie: otherCookie } })).status, 401);
    await page.goto(`${h.url}/#/incidents`);
    await page.getByRole('heading', { name: 'Incidents' }).waitFor();
  });
});
