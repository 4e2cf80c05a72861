/** Reads and validates JSON request bodies with zod, with errors that name the field. */
import type { Context } from 'hono';
import type { z } from 'zod';
import { NinesError } from '../core/errors.ts';

const MAX_BODY_BYTES = 1024 * 1024;

/** Parses the JSON body against `schema`; VALIDATION errors name the path (`matchers[0].value`). */
export async function readJson<T extends z.ZodType>(c: Context, schema: T): Promise<z.infer<T>> {
  const length = Number(c.req.header('content-length') ?? '0');
  if (length > MAX_BODY_BYTES)
    throw new NinesError('PAYLOAD_TOO_LARGE', `request body is larger than ${MAX_BODY_BYTES} bytes`);
  const text = await c.req.text();
  if (text.length > MAX_BODY_BYTES)
    throw new NinesError('PAYLOAD_TOO_LARGE', `request body is larger than ${MAX_BODY_BYTES} bytes`);
  let raw: unknown;
  try {
    raw = text === '' ? {} : JSON.parse(text);
  } catch (err) {
    throw new NinesError('VALIDATION', `request body is not valid JSON: ${(err as Error).message}`);
  }
  const parsed = schema.safeParse(raw);
  if (!parsed.success) {
    const issue = parsed.error.issues[0]!;
    const path = issue.path
      .map((p) => (typeof p === 'number' ? `[${p}]` : `.${String(p)}`))
      .join('')
      .replace(/^\./, '');
    throw new NinesError('VALIDATION', `${path ? `${path}: ` : ''}${issue.message}`, { details: { path } });
  }
  return parsed.data;
}
