/**
 * A gentle, bounded stream of requests through the demo gateway (a few per second, loopback
 * only), so the gateway page, request records and gateway SLOs have live data.
 */

/** Starts sending requests; returns the stop function. */
export function startDemoTraffic(
  gatewayUrl: string,
  options: { perSecond?: number; log?: (line: string) => void } = {},
): () => void {
  const perSecond = options.perSecond ?? 2;
  const models = ['gpt-4o-mini', 'gpt-4o-mini', 'gpt-4o-mini', 'claude-3-5-haiku', 'llama-3.1-8b'];
  let n = 0;
  let stopped = false;
  let inFlight = 0;
  const timer = setInterval(() => {
    if (stopped || inFlight >= 20) return;
    const model = models[n % models.length]!;
    const stream = n % 2 === 0;
    n++;
    inFlight++;
    fetch(`${gatewayUrl}/v1/chat/completions`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({
        model,
        stream,
        max_tokens: 32,
        messages: [{ role: 'user', content: `What is ${n % 10}+${(n * 7) % 10}?` }],
      }),
      signal: AbortSignal.timeout(30_000),
    })
      .then((res) => res.arrayBuffer())
      .catch(() => undefined)
      .finally(() => inFlight--);
  }, 1000 / perSecond);
  timer.unref();
  return () => {
    stopped = true;
    clearInterval(timer);
  };
}
