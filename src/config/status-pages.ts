/**
 * `statusPages:` public status pages. Each page lists the targets it shows under public names;
 * everything not listed (other targets, labels, URLs, error text) stays private.
 *
 *   statusPages:
 *     - slug: public
 *       title: Acme AI status
 *       description: Availability of the Acme AI APIs.
 *       targets:
 *         - { target: openai-east-chat, name: Chat API }
 */
import { z } from 'zod';

/** One component of a status page: a private target shown under a public name. */
export const statusPageTargetSchema = z
  .object({
    target: z.string().min(1),
    name: z.string().min(1).max(200),
  })
  .strict();

/** One public status page. */
export const statusPageSchema = z
  .object({
    slug: z
      .string()
      .regex(/^[a-z0-9][a-z0-9-]{0,62}$/, 'slugs use lower-case letters, digits and -, up to 63 characters'),
    title: z.string().min(1).max(200),
    description: z.string().max(2000).optional(),
    targets: z.array(statusPageTargetSchema).min(1, 'a status page needs at least one target'),
    /** Days of history in the bars (default 90). */
    historyDays: z.number().int().min(7).max(365).default(90),
  })
  .strict();

/** `statusPages:` the list; slugs and public names must be unique. */
export const statusPagesSchema = z
  .array(statusPageSchema)
  .default([])
  .superRefine((pages, ctx) => {
    const slugs = new Set<string>();
    pages.forEach((p, i) => {
      if (slugs.has(p.slug))
        ctx.addIssue({
          code: 'custom',
          path: [i, 'slug'],
          message: `duplicate status page slug "${p.slug}"`,
        });
      slugs.add(p.slug);
      const names = new Set<string>();
      p.targets.forEach((t, j) => {
        if (names.has(t.name))
          ctx.addIssue({
            code: 'custom',
            path: [i, 'targets', j, 'name'],
            message: `duplicate public name "${t.name}" on page ${p.slug}`,
          });
        names.add(t.name);
      });
    });
  });

/** One configured status page. */
export type StatusPageConfig = z.output<typeof statusPageSchema>;

/** Cross-field check: every listed target must exist. Returns `{ path, message }` problems. */
export function checkStatusPageTargets(
  pages: readonly StatusPageConfig[],
  targetNames: ReadonlySet<string>,
): { path: (string | number)[]; message: string }[] {
  const problems: { path: (string | number)[]; message: string }[] = [];
  pages.forEach((p, i) =>
    p.targets.forEach((t, j) => {
      if (!targetNames.has(t.target))
        problems.push({
          path: ['statusPages', i, 'targets', j, 'target'],
          message: `status page ${p.slug} lists unknown target "${t.target}"`,
        });
    }),
  );
  return problems;
}
