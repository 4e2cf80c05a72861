/**
 * The one schema for the whole nines.yaml (DESIGN rule 6: defaults → schema → cross-field
 * checks → fixture tests). Each section lives in its own file; this file only composes them.
 */
import { z } from 'zod';
import { alertingSchema } from './alerting.ts';
import { authSchema, defaultsSchema, schedulerSchema, serverSchema, storageSchema } from './sections.ts';
import { sloSchema } from './slo.ts';
import { targetSchema } from './targets.ts';
import { gatewaySchema } from './gateway.ts';
import { simConfigSchema } from './sim.ts';
import { statusPagesSchema } from './status-pages.ts';

/** The whole config file, as parsed (defaults for optional sections filled in by zod). */
export const configSchema = z
  .object({
    server: serverSchema.default(serverSchema.parse({})),
    storage: storageSchema.default(storageSchema.parse({})),
    auth: authSchema.default({ tokens: [] }),
    defaults: defaultsSchema.default({}),
    scheduler: schedulerSchema.default(schedulerSchema.parse({})),
    targets: z.array(targetSchema).default([]),
    alerting: alertingSchema.default(alertingSchema.parse({})),
    slos: z.array(sloSchema).default([]),
    gateway: gatewaySchema.optional(),
    /** Simulated providers run in-process (demo, game days). */
    sim: simConfigSchema.optional(),
    /** Public status pages: which targets appear, under which public names. */
    statusPages: statusPagesSchema,
  })
  .strict();

/** The parsed config file, before probe defaults are applied to targets. */
export type ConfigInput = z.infer<typeof configSchema>;
