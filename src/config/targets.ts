/**
 * The `targets:` section: one entry per endpoint to probe. Fields left out take their value
 * from `defaults:` (see resolve.ts); kind-specific fields are checked in checks.ts.
 */
import { z } from 'zod';
import { positiveDurationSchema } from './duration-schema.ts';
import { assertionSchema } from './assertions.ts';

/** Every probe kind nines knows. */
export const TARGET_KINDS = [
  'http',
  'openai-chat',
  'openai-embeddings',
  'anthropic-messages',
  'kserve-v2',
  'tcp',
  'tls',
] as const;

/** One of `TARGET_KINDS`. */
export type TargetKind = (typeof TARGET_KINDS)[number];

const NAME_RE = /^[A-Za-z0-9][A-Za-z0-9_.:-]{0,127}$/;

/** A label key/value map such as `{ provider: openai, region: us-east, model: gpt-4o-mini }`. */
export const labelsSchema = z.record(
  z.string().regex(/^[A-Za-z_][A-Za-z0-9_]*$/, 'label names are letters, digits and _'),
  z.string(),
);

/** Probe settings shared by `defaults:` and every target. */
export const probeSettingsSchema = z.object({
  interval: positiveDurationSchema.optional(),
  timeout: positiveDurationSchema.optional(),
  failureThreshold: z.number().int().min(1).max(100).optional(),
  successThreshold: z.number().int().min(1).max(100).optional(),
  /** Largest response body read, in bytes; bigger bodies fail with error class too_large. */
  maxBodyBytes: z
    .number()
    .int()
    .min(1024)
    .max(512 * 1024 * 1024)
    .optional(),
});

/** One target as written in config. */
export const targetSchema = probeSettingsSchema
  .extend({
    name: z.string().regex(NAME_RE, 'names start with a letter or digit and use letters, digits, _ . : -'),
    kind: z.enum(TARGET_KINDS),
    url: z.string().min(1),
    enabled: z.boolean().default(true),
    model: z.string().min(1).optional(),
    headers: z.record(z.string(), z.string()).default({}),
    /** http probes: method and optional request body. */
    method: z.enum(['GET', 'HEAD', 'POST', 'PUT', 'PATCH', 'DELETE', 'OPTIONS']).optional(),
    body: z.string().optional(),
    /** LLM probes: stream the answer (measures time to first token). */
    stream: z.boolean().optional(),
    prompt: z.string().min(1).optional(),
    maxTokens: z.number().int().min(1).max(4096).optional(),
    /** Embeddings probes: input text and expected vector dimension. */
    input: z.string().min(1).optional(),
    dimension: z.number().int().min(1).optional(),
    /** kserve-v2 probes: the inference request body (JSON); a default one is used when absent. */
    inferRequest: z.record(z.string(), z.unknown()).optional(),
    /** tls probes: warn (degraded) below this many days, fail below failDays. */
    assertions: z.array(assertionSchema).default([]),
    labels: labelsSchema.default({}),
    /** A public name for status pages; the target is private unless it has one. */
    publicName: z.string().min(1).max(200).optional(),
  })
  .strict();

/** A target as written in config (before defaults are applied). */
export type TargetInput = z.infer<typeof targetSchema>;
