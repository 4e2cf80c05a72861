import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import { startHarness } from './test-harness.ts';

describe('gateway close', () => {
  it('waits until the requests it cut are recorded, so the record writer can close next', async () => {
    const h = await startHarness();
    try {
      for (const deployment of ['a', 'b'])
        h.gateway.injectFault({ deployment, latencyMs: 5000, duration: 60_000 });
      const pending = h.client.chat.completions
        .create({ model: 'm', messages: [{ role: 'user', content: 'hi' }] })
        .catch((e: unknown) => e);
      await sleep(150); // the request is in its first attempt's injected delay
      await h.gateway.close();
      assert.equal(h.records.length, 1, 'the cut request was recorded before close resolved');
      assert.equal(h.records[0]!.status, 499);
      assert.equal(h.records[0]!.errorType, 'client_closed');
      assert.ok((await pending) instanceof Error);
    } finally {
      await h.sim.close();
    }
  });
});
