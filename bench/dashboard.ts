/**
 * Dashboard figures in headless Chromium (Debian's /usr/bin/chromium via playwright-core), against
 * the real server the e2e harness starts (`startNines` with simulated providers):
 *  1. first render of the overview with 1,000 targets (navigation → 100 rows on screen),
 *  2. responsiveness while 200 state updates/s stream in over SSE (worst frame gap, and the
 *     time for a filter keystroke to redraw),
 *  3. outage visibility: a simulated provider taken down until its row shows "down", against
 *     the budget failureThreshold (2) × interval (1 s) + 2 s.
 *
 *   node --import tsx bench/dashboard.ts
 */
import { USERS, launchBrowser, login, startHarness } from '../test/e2e/harness.ts';

const TARGETS = 1000;

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)]!;
}

console.log(
  `load average at start: ${(await import('node:os'))
    .loadavg()
    .map((x) => x.toFixed(1))
    .join(' ')} (2 cores)`,
);
const h = await startHarness({ extraTargets: TARGETS - 3 });
const browser = await launchBrowser();
try {
  const page = await browser.context.newPage();
  await login(page, h.url, 'oper', USERS.oper);

  const renders: number[] = [];
  const complete: number[] = [];
  const inPage: number[] = [];
  for (let i = 0; i < 5; i++) {
    await page.goto('about:blank');
    const t0 = Date.now();
    await page.goto(`${h.url}/#/`);
    await page.waitForFunction(
      (n) =>
        document.querySelectorAll('tbody tr[data-target]').length === 100 &&
        document.querySelector('.summary')?.textContent?.startsWith(`${n} targets`),
      TARGETS,
      { polling: 'raf' },
    );
    renders.push(Date.now() - t0);
    inPage.push(
      (await page.evaluate(
        () => performance.getEntriesByName('nines:overview-rendered')[0]?.startTime ?? NaN,
      )) as number,
    );
    await page.waitForFunction(() => document.querySelectorAll('tbody svg.bars').length === 100, undefined, {
      polling: 'raf',
    });
    complete.push(Date.now() - t0);
  }
  console.log(
    `overview with ${TARGETS} targets, first render (100 rows + states on screen): median ${median(renders)} ms, worst ${Math.max(...renders)} ms (goal < 1000 ms)`,
  );
  console.log(
    `  in-page (navigation start → rows drawn, performance.mark): median ${Math.round(median(inPage))} ms, worst ${Math.round(Math.max(...inPage))} ms`,
  );
  console.log(
    `  …with the 90-day bars of the page drawn: median ${median(complete)} ms, worst ${Math.max(...complete)} ms`,
  );

  await page.evaluate(`(() => {
    window.gaps = [];
    let last = performance.now();
    const tick = (t) => { window.gaps.push(t - last); last = t; requestAnimationFrame(tick); };
    requestAnimationFrame(tick);
  })()`);
  const names = Array.from({ length: TARGETS - 3 }, (_, i) => `synthetic-${String(i).padStart(4, '0')}`);
  let sent = 0;
  const timer = setInterval(() => {
    for (let i = 0; i < 20; i++) {
      const target = names[(sent + i) % names.length]!;
      h.bus.publish('state', {
        target,
        from: 'unknown',
        to: sent % 2 ? 'down' : 'up',
        at: Date.now(),
        reason: 'bench',
      });
    }
    sent += 20;
  }, 100);
  await new Promise((r) => setTimeout(r, 1000));
  // In the page: type into the filter and wait (checking every frame) until the rows are redrawn.
  const filterMs = (await page.evaluate(`new Promise((resolve) => {
    const input = document.getElementById('filter');
    const t0 = performance.now();
    input.value = 'synthetic-09';
    input.dispatchEvent(new Event('input'));
    const check = () => document.querySelectorAll('tbody tr[data-target]').length === 97 ? resolve(performance.now() - t0) : requestAnimationFrame(check);
    check();
  })`)) as number;
  await new Promise((r) => setTimeout(r, 3000));
  clearInterval(timer);
  const gaps = (await page.evaluate('window.gaps.slice(1)')) as number[];
  console.log(
    `while streaming ${sent} state updates (200/s): worst frame gap ${Math.round(Math.max(...gaps))} ms, median ${Math.round(median(gaps))} ms; filter input → rows redrawn ${Math.round(filterMs)} ms (includes the 150 ms debounce)`,
  );
  await page.getByLabel('Filter').fill('');
  await page.waitForFunction(() => document.querySelectorAll('tbody tr[data-target]').length === 100);

  const outages: number[] = [];
  for (let i = 0; i < 3; i++) {
    const row = page.locator('tr[data-target="chat-flaky"]');
    await row.locator('.badge.state-up').waitFor({ timeout: 15_000 });
    const t0 = Date.now();
    h.sim.setFaults('flaky', { down: 'refuse' });
    await row.locator('.badge.state-down').waitFor({ timeout: 15_000 });
    outages.push(Date.now() - t0);
    h.sim.resetFaults('flaky');
  }
  console.log(
    `outage visible on the open dashboard: ${outages.join(', ')} ms (budget 2 × 1 s + 2 s = 4000 ms)`,
  );
} finally {
  await browser.close();
  await h.close();
}
