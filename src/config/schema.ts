/**
 * The one schema for the whole nines.yaml (DESIGN rule 6: defaults → schema → cross-field
 * checks → fixture tests). Each section lives in its own file; this file only composes them.
 */
import { z } from 'zod';
import { authSchema, defaultsSchema, schedulerSchema, serverSchema, storageSchema } from './sections.ts';
import { targetSchema } from './targets.ts';

/** The whole config file, as parsed (defaults for optional sections filled in by zod). */
export const configSchema = z
  .object({
    server: serverSchema.default(serverSchema.parse({})),
    storage: storageSchema.default(storageSchema.parse({})),
    auth: authSchema.default({ tokens: [] }),
    defaults: defaultsSchema.default({}),
    scheduler: schedulerSchema.default(schedulerSchema.parse({})),
    targets: z.array(targetSchema).default([]),
  })
  .strict();

/** The parsed config file, before probe defaults are applied to targets. */
export type ConfigInput = z.infer<typeof configSchema>;
