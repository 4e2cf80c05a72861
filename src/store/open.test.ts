import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { storageSchema } from '../config/sections.ts';
import { openStore, retentionPolicyOf } from './open.ts';

test('openStore: SQLite by default, creating the directory, migrated', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'nines-open-'));
  try {
    const path = join(dir, 'nested', 'deeper', 'nines.db');
    const config = storageSchema.parse({ sqlite: { path } });
    const store = await openStore(config);
    assert.ok(existsSync(path));
    await store.insertEvents([{ target: 'a', at: 1, from: 'unknown', to: 'up', reason: 'first' }]);
    assert.equal((await store.queryEvents({ from: 0, to: 2 })).length, 1);
    await store.close();
    assert.deepEqual(retentionPolicyOf(config), {
      rawMs: 7 * 86_400_000,
      minuteMs: 35 * 86_400_000,
      hourMs: 400 * 86_400_000,
      requestsMs: 30 * 86_400_000,
    });
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('openStore: PostgreSQL when a url is given (an unreachable one fails UNAVAILABLE)', async () => {
  const config = storageSchema.parse({ postgres: { url: 'postgres://postgres@127.0.0.1:1/none' } });
  await assert.rejects(openStore(config), (err: Error & { code?: string }) => err.code === 'UNAVAILABLE');
});
