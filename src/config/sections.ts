/**
 * The smaller top-level sections of nines.yaml: server, storage, auth, defaults, scheduler.
 */
import { z } from 'zod';
import { durationSchema, positiveDurationSchema } from './duration-schema.ts';
import { probeSettingsSchema } from './targets.ts';

/** `server:` where the HTTP API (and dashboard) listens. */
export const serverSchema = z
  .object({
    host: z.string().default('127.0.0.1'),
    port: z.number().int().min(0).max(65535).default(9190),
    /** Public base URL used in links inside notifications. */
    publicUrl: z.string().url().optional(),
  })
  .strict();

/** `storage:` the database and how long each tier of data is kept. */
export const storageSchema = z
  .object({
    sqlite: z
      .object({ path: z.string().min(1).default('./data/nines.db') })
      .strict()
      .default({ path: './data/nines.db' }),
    postgres: z
      .object({ url: z.string().min(1) })
      .strict()
      .optional(),
    retention: z
      .object({
        raw: durationSchema.default(7 * 86_400_000),
        minute: durationSchema.default(35 * 86_400_000),
        hour: durationSchema.default(400 * 86_400_000),
        requests: durationSchema.default(30 * 86_400_000),
      })
      .strict()
      .default({
        raw: 7 * 86_400_000,
        minute: 35 * 86_400_000,
        hour: 400 * 86_400_000,
        requests: 30 * 86_400_000,
      }),
    /** How often buffered results are flushed to the database. */
    flushInterval: positiveDurationSchema.default(1000),
  })
  .strict();

/** The roles of API tokens and users: viewer < operator < admin. */
export const ROLES = ['viewer', 'operator', 'admin'] as const;
/** One of `ROLES`. */
export type Role = (typeof ROLES)[number];

/** `auth:` bearer API tokens (values normally `${ENV}` references). */
export const authSchema = z
  .object({
    tokens: z
      .array(
        z
          .object({
            name: z.string().min(1),
            role: z.enum(ROLES),
            token: z.string().min(1),
          })
          .strict(),
      )
      .default([]),
  })
  .strict();

/** `defaults:` probe settings applied to every target that does not set its own. */
export const defaultsSchema = probeSettingsSchema.strict();

/** `scheduler:` global probing limits. */
export const schedulerSchema = z
  .object({
    /** Most probes in flight at once across all targets. */
    concurrency: z.number().int().min(1).max(100_000).default(256),
    /** Fraction of the interval used as random start jitter (0–0.5). */
    jitter: z.number().min(0).max(0.5).default(0.1),
  })
  .strict();
