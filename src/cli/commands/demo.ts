/**
 * `nines demo` (what `npm start` runs): simulated providers with scripted incidents, 30 days of
 * backfilled history on first start, and the full server with its API and dashboard.
 */
import { randomBytes } from 'node:crypto';
import { parseArgs } from 'node:util';
import { startSimServer, demoSimProviders, providerUrl } from '../../sim/index.ts';
import { startNines } from '../../main.ts';
import { openStore } from '../../store/open.ts';
import { demoConfig } from '../../demo/demo-config.ts';
import { backfillHistory, hasHistory } from '../../demo/backfill.ts';
import { startDemoTraffic } from '../../demo/traffic.ts';
import { startWebhookLog } from '../../demo/webhook-log.ts';
import { println, type CliIo } from '../io.ts';

/** Runs `nines demo [--port 9190] [--db ./data/demo.db] [--duration 60s]`. */
export async function runDemoCommand(argv: string[], io: CliIo): Promise<number> {
  const { values } = parseArgs({
    args: argv,
    options: {
      port: { type: 'string', default: process.env.NINES_PORT ?? '9190' },
      'gateway-port': { type: 'string', default: process.env.NINES_GATEWAY_PORT ?? '9191' },
      db: { type: 'string', default: process.env.NINES_DEMO_DB ?? './data/demo.db' },
      /** Stop after this many seconds (for smoke tests); default: run until Ctrl-C. */
      'exit-after': { type: 'string' },
      /** Days of simulated history written on first start. */
      'backfill-days': { type: 'string', default: '30' },
    },
  });
  const sim = await startSimServer({ providers: demoSimProviders() });
  const providerUrls = Object.fromEntries(sim.providers.map((p) => [p, providerUrl(sim, p)]));
  const adminToken = process.env.NINES_DEMO_TOKEN ?? randomBytes(18).toString('base64url');
  const webhook = await startWebhookLog((line) => println(io.stdout, line));
  const config = demoConfig({
    webhookUrl: webhook.url,
    providerUrls,
    dbPath: values.db!,
    port: Number(values.port),
    gatewayPort: Number(values['gateway-port']),
    adminToken,
  });

  const store = await openStore(config.storage);
  const now = Date.now();
  if (!(await hasHistory(store, config, now))) {
    const days = Number(values['backfill-days']);
    println(io.stdout, `demo: backfilling ${days} days of simulated history (first start)…`);
    const t0 = performance.now();
    const n = await backfillHistory(store, config, now, days);
    println(io.stdout, `demo: wrote ${n} results in ${((performance.now() - t0) / 1000).toFixed(1)} s`);
  }
  const adminPassword = process.env.NINES_ADMIN_PASSWORD ?? 'nines-demo-admin';
  let nines: Awaited<ReturnType<typeof startNines>>;
  try {
    nines = await startNines(config, { store, adminPassword, log: (line) => println(io.stdout, line) });
  } catch (err) {
    await store.close();
    await sim.close();
    await webhook.close();
    throw err;
  }
  const stopTraffic = nines.gateway ? startDemoTraffic(nines.gateway.url) : () => {};
  println(io.stdout, '');
  println(io.stdout, `nines demo is running: open ${nines.api.url} and log in as admin / ${adminPassword}`);
  println(io.stdout, `  public status page: ${nines.api.url}/status/public`);
  if (nines.gateway)
    println(
      io.stdout,
      `  OpenAI-compatible gateway: ${nines.gateway.url}/v1 (models gpt-4o-mini, claude-3-5-haiku, llama-3.1-8b)`,
    );
  println(io.stdout, `  API token (admin): ${adminToken}`);
  println(io.stdout, `  try: curl -H "Authorization: Bearer ${adminToken}" ${nines.api.url}/api/v1/targets`);
  println(
    io.stdout,
    '  scripted incidents repeat every 20 minutes (openai-west down at 3m, anthropic slow at 8m, vllm 503s at 13m, triton restart at 17m)',
  );
  await new Promise<void>((resolve) => {
    process.once('SIGINT', resolve);
    process.once('SIGTERM', resolve);
    const after = values['exit-after'];
    if (after) setTimeout(resolve, Number(after) * 1000).unref();
  });
  println(io.stdout, 'demo: shutting down…');
  stopTraffic();
  await nines.close();
  await store.close();
  await sim.close();
  await webhook.close();
  return 0;
}
