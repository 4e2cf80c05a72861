/**
 * The OpenSLO v1 object shapes nines reads (strict: an unknown field is an error naming its
 * path), and located problems. See openslo.ts for how they map onto nines SLOs. Field names
 * follow the OpenSLO v1 specification (github.com/OpenSLO/OpenSLO, pkg/openslo/v1).
 */
import { z } from 'zod';

/** A path inside the file: the object's index, then keys and indexes. */
export type Path = (string | number)[];

/** `metadata` of any object. */
const metadataSchema = z
  .object({
    name: z.string().min(1),
    displayName: z.string().optional(),
    labels: z.record(z.string(), z.unknown()).optional(),
    annotations: z.record(z.string(), z.string()).optional(),
  })
  .strict();
/** A `good` / `bad` / `total` / threshold metric: its metric source. */
export const metricSpecSchema = z
  .object({
    metricSource: z
      .object({
        metricSourceRef: z.string().optional(),
        type: z.string().optional(),
        spec: z.record(z.string(), z.unknown()),
      })
      .strict(),
  })
  .strict();
/** The spec of an SLI (inline `indicator.spec` or a `kind: SLI` object). */
export const sliSpecSchema = z
  .object({
    description: z.string().optional(),
    thresholdMetric: metricSpecSchema.optional(),
    ratioMetric: z
      .object({
        counter: z.boolean().optional(),
        good: metricSpecSchema.optional(),
        bad: metricSpecSchema.optional(),
        total: metricSpecSchema.optional(),
        rawType: z.string().optional(),
        raw: metricSpecSchema.optional(),
      })
      .strict()
      .optional(),
  })
  .strict();
/** The spec of a `kind: SLO` object. */
export const sloSpecSchema = z
  .object({
    description: z.string().optional(),
    service: z.string().min(1),
    indicator: z.object({ metadata: metadataSchema, spec: sliSpecSchema }).strict().optional(),
    indicatorRef: z.string().optional(),
    budgetingMethod: z.enum(['Occurrences', 'Timeslices', 'RatioTimeslices']),
    timeWindow: z
      .array(
        z
          .object({
            duration: z.string(),
            isRolling: z.boolean(),
            calendar: z.object({ startTime: z.string(), timeZone: z.string() }).strict().optional(),
          })
          .strict(),
      )
      .length(1, 'exactly one timeWindow is supported'),
    objectives: z
      .array(
        z
          .object({
            displayName: z.string().optional(),
            op: z.enum(['lt', 'lte', 'gt', 'gte']).optional(),
            value: z.number().optional(),
            target: z.number().optional(),
            targetPercent: z.number().optional(),
            timeSliceTarget: z.number().optional(),
            timeSliceWindow: z.union([z.string(), z.number()]).optional(),
          })
          .strict(),
      )
      .min(1, 'at least one objective is needed'),
    alertPolicies: z.array(z.unknown()).optional(),
  })
  .strict();
/** Fields every OpenSLO object has. */
export const headerSchema = z.object({
  apiVersion: z.string(),
  kind: z.string(),
  metadata: metadataSchema,
  spec: z.unknown(),
});

/** A parsed SLI spec. */
export type SliSpec = z.infer<typeof sliSpecSchema>;
/** A parsed metric spec. */
export type MetricSpec = z.infer<typeof metricSpecSchema>;
/** A parsed SLO spec. */
export type SloSpec = z.infer<typeof sloSpecSchema>;

/** One problem at a path of the file. */
export class Problem extends Error {
  constructor(
    readonly path: Path,
    message: string,
  ) {
    super(message);
  }
}

/** Schema problems of one object, with paths from the object's root. */
export class Problems extends Error {
  constructor(readonly list: Problem[]) {
    super(list.map((p) => p.message).join('; '));
  }
}

/** Parses with a zod schema; on failure throws every issue located under `at`. */
export function parseAt<T>(schema: z.ZodType<T>, value: unknown, at: Path): T {
  const r = schema.safeParse(value, { reportInput: true });
  if (r.success) return r.data;
  throw new Problems(
    r.error.issues.map((issue) => {
      const path = [...at, ...(issue.path as Path)];
      if (issue.code === 'unrecognized_keys') {
        const keys = issue.keys.map((k) => `"${k}"`).join(', ');
        return new Problem(
          [...path, issue.keys[0]!],
          `unknown field${issue.keys.length > 1 ? 's' : ''} ${keys}`,
        );
      }
      if ('input' in issue && issue.input === undefined && issue.path.length > 0) {
        return new Problem(path, `missing required field "${String(issue.path[issue.path.length - 1])}"`);
      }
      return new Problem(path, issue.message);
    }),
  );
}
