/**
 * Builds the configured `Store`: PostgreSQL when `storage.postgres.url` is set, otherwise SQLite
 * at `storage.sqlite.path` (creating its directory). The store comes back migrated.
 */
import { mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import type { z } from 'zod';
import type { storageSchema } from '../config/sections.ts';
import type { Clock } from '../core/clock.ts';
import { openPostgresStore } from './postgres/store.ts';
import { openSqliteStore } from './sqlite/store.ts';
import type { RetentionPolicy, Store } from './types.ts';

/** The `storage:` section of the config, after defaults. */
export type StorageConfig = z.output<typeof storageSchema>;

/** Opens and migrates the store the config asks for. */
export async function openStore(config: StorageConfig, options: { clock?: Clock } = {}): Promise<Store> {
  let store: Store;
  if (config.postgres?.url) {
    store = openPostgresStore({ url: config.postgres.url, ...options });
  } else {
    const path = config.sqlite.path;
    if (path !== ':memory:') mkdirSync(dirname(path), { recursive: true });
    store = openSqliteStore({ path, ...options });
  }
  try {
    await store.migrate();
  } catch (err) {
    await store.close().catch(() => undefined);
    throw err;
  }
  return store;
}

/** The retention policy of the `storage.retention` config section. */
export function retentionPolicyOf(config: StorageConfig): RetentionPolicy {
  return {
    rawMs: config.retention.raw,
    minuteMs: config.retention.minute,
    hourMs: config.retention.hour,
    requestsMs: config.retention.requests,
  };
}
