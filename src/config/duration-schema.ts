/** Zod types for durations in config: a string like `15s` (or a number of ms) parsed to milliseconds. */
import { z } from 'zod';
import { parseDuration } from '../core/duration.ts';

/** A duration field: accepts `15s`, `1h30m`, or a number of milliseconds; yields milliseconds. */
export const durationSchema = z.union([z.number().nonnegative(), z.string()]).transform((v, ctx) => {
  if (typeof v === 'number') return v;
  try {
    return parseDuration(v);
  } catch (err) {
    ctx.addIssue({ code: 'custom', message: (err as Error).message });
    return z.NEVER;
  }
});

/** A duration that must be greater than zero. */
export const positiveDurationSchema = durationSchema.refine((ms) => ms > 0, {
  message: 'must be greater than 0',
});
