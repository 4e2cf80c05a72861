/**
 * Assertions on probe results, as written in config: `status == 200`, `latency < 2s`,
 * `answer matches /\b4\b/`. A bare string fails the probe when false; `{ expr, severity: degrade }`
 * marks it degraded instead. (The probe module evaluates them; this file owns their syntax.)
 */
import { z } from 'zod';

/** One assertion entry in a target's `assertions` list. */
export const assertionSchema = z.union([
  z.string().min(1),
  z.object({ expr: z.string().min(1), severity: z.enum(['fail', 'degrade']).default('fail') }).strict(),
]);

/** An assertion entry as written in config. */
export type AssertionEntry = z.infer<typeof assertionSchema>;
