/**
 * The sim's config shape as a zod schema, kept in its own file so the main config can embed
 * it later (`sim: { providers: [...] }`). The schema has no transforms: what is written is what
 * the sim reads, and durations stay as written (`'2m'` or milliseconds) until they are used.
 */
import { z } from 'zod';
import { parseDuration } from '../core/duration.ts';

function isDuration(text: string): boolean {
  try {
    parseDuration(text);
    return true;
  } catch {
    return false;
  }
}

/** A duration as people write it (`'90s'`, `'2m'`) or a number of milliseconds. */
export const simDurationSchema = z.union([
  z.string().refine(isDuration, 'invalid duration (use e.g. 500ms, 15s, 5m, 1h30m)'),
  z.number().nonnegative(),
]);

const probability = z.number().min(0).max(1);

/** Latency before the response starts: a fixed number of ms, or a log-normal from p50/p99. */
export const latencySchema = z.union([
  z.number().nonnegative(),
  z.object({ p50Ms: z.number().nonnegative(), p99Ms: z.number().nonnegative().optional() }).strict(),
]);

/** A mid-stream fault: after `afterChunks` content chunks, with probability `rate` (default 1). */
export const streamCutSchema = z
  .object({ afterChunks: z.number().int().nonnegative(), rate: probability.optional() })
  .strict();

/** Gradual degradation: from `startAt` after activation, ramps linearly to full over `over`. */
export const degradeSchema = z
  .object({
    startAt: simDurationSchema.optional(),
    over: simDurationSchema,
    /** Extra latency (ms) added when fully degraded. */
    latencyMs: z.number().nonnegative().optional(),
    /** Error rate reached when fully degraded. */
    errorRate: probability.optional(),
  })
  .strict();

/** Everything that can go wrong with one provider. An empty profile is a healthy provider. */
export const faultProfileSchema = z
  .object({
    latency: latencySchema.optional(),
    ttftMs: z.number().nonnegative().optional(),
    interChunkMs: z.number().nonnegative().optional(),
    errorRate: probability.optional(),
    errorStatuses: z.array(z.number().int().min(400).max(599)).min(1).optional(),
    down: z.enum(['refuse', 'reset', 'hang']).optional(),
    rateLimit: z
      .object({ rate: probability.optional(), retryAfterS: z.number().nonnegative().optional() })
      .strict()
      .optional(),
    stall: streamCutSchema.optional(),
    truncate: streamCutSchema.optional(),
    wrongAnswerRate: probability.optional(),
    malformedRate: probability.optional(),
    degrade: degradeSchema.optional(),
  })
  .strict();

/** One scripted incident: `fault` is laid over the provider's faults from `at` for `for`. */
export const scheduledFaultSchema = z
  .object({
    at: simDurationSchema,
    for: simDurationSchema,
    fault: faultProfileSchema,
    /** A label for logs and the control endpoint (`'west outage'`). */
    label: z.string().optional(),
  })
  .strict();

/** One simulated provider. */
export const simProviderSchema = z
  .object({
    name: z
      .string()
      .regex(/^[A-Za-z0-9][A-Za-z0-9._-]*$/, 'use letters, digits, dot, dash, underscore')
      .refine((n) => n !== '_sim', 'the name _sim is reserved for the control endpoint'),
    kind: z.enum(['openai', 'anthropic', 'kserve']),
    models: z.array(z.string().min(1)).min(1),
    /** Required credential: `Authorization: Bearer <key>` (or `x-api-key` for anthropic). */
    apiKey: z.string().min(1).optional(),
    /** Content chunks per streamed answer (a streamed answer is padded with filler to reach it). */
    streamChunks: z.number().int().positive().max(100_000).optional(),
    /** Embedding vector size per model; defaults by name (1536 for text-embedding-3-small). */
    embeddingDims: z.record(z.string(), z.number().int().positive().max(65_536)).optional(),
    faults: faultProfileSchema.optional(),
    schedule: z.array(scheduledFaultSchema).optional(),
    /** Repeat the schedule with this period (relative to server start). */
    scheduleEvery: simDurationSchema.optional(),
  })
  .strict();

/** The whole sim config: the providers one sim server hosts. */
export const simConfigSchema = z
  .object({
    providers: z.array(simProviderSchema).min(1),
    /** `'root'` serves the single provider at `/`; the default mounts each under `/<name>/`. */
    mount: z.enum(['prefix', 'root']).optional(),
    /** Where `nines serve` runs the sim server when the config has a `sim:` section. */
    host: z.string().optional(),
    port: z.number().int().min(0).max(65535).optional(),
  })
  .strict()
  .superRefine((cfg, ctx) => {
    const seen = new Set<string>();
    cfg.providers.forEach((p, i) => {
      if (seen.has(p.name)) {
        ctx.addIssue({
          code: 'custom',
          path: ['providers', i, 'name'],
          message: `duplicate provider ${p.name}`,
        });
      }
      seen.add(p.name);
    });
    if (cfg.mount === 'root' && cfg.providers.length !== 1) {
      ctx.addIssue({ code: 'custom', path: ['mount'], message: "mount 'root' needs exactly one provider" });
    }
  });

/** A duration: `'2m'` or milliseconds. */
export type SimDuration = z.infer<typeof simDurationSchema>;
/** Latency setting of a fault profile. */
export type LatencySpec = z.infer<typeof latencySchema>;
/** A stall or truncation setting. */
export type StreamCut = z.infer<typeof streamCutSchema>;
/** A degradation ramp. */
export type DegradeSpec = z.infer<typeof degradeSchema>;
/** A provider's fault profile. */
export type FaultProfile = z.infer<typeof faultProfileSchema>;
/** One entry of a provider's scripted schedule. */
export type ScheduledFault = z.infer<typeof scheduledFaultSchema>;
/** One simulated provider's config. */
export type SimProviderConfig = z.infer<typeof simProviderSchema>;
/** The sim config (`sim:` in the main config). */
export type SimConfig = z.infer<typeof simConfigSchema>;
/** Protocol a simulated provider speaks. */
export type SimProviderKind = SimProviderConfig['kind'];
