/**
 * Assertions on probe results, as written in config: `status == 200`, `latency < 2s`,
 * `answer matches /\b4\b/`. A bare string fails the probe when false; `{ expr, severity: degrade }`
 * marks it degraded instead. This file owns their syntax (the parser, used at config load and by
 * the probe module); src/probe/assert.ts evaluates them.
 *
 * Grammar: `<field> <op> <value>` where
 *   field  = status | latency | ttfb | ttft | tokens_per_s | output_tokens | answer | body
 *          | json.valid | json.$<path> (e.g. json.$.data[0].id) | embedding.dim | cert.days
 *          | header.<name>
 *   op     = == | != | < | <= | > | >= | matches | contains
 *   value  = number | duration (2s, 800ms; time fields only) | "string" | 'string' | /re/flags
 *          | true | false
 */
import { z } from 'zod';
import { parseDuration } from '../core/duration.ts';
import { NinesError } from '../core/errors.ts';

/** Fields holding a duration in milliseconds (accept `2s`, `800ms`). */
export const TIME_FIELDS = ['latency', 'ttfb', 'ttft'] as const;
/** Fields holding a plain number. */
export const NUMBER_FIELDS = [
  'status',
  'tokens_per_s',
  'output_tokens',
  'embedding.dim',
  'cert.days',
] as const;
/** Fields holding text. */
export const TEXT_FIELDS = ['answer', 'body'] as const;
/** Every simple field name, for error messages; plus `json.$...` and `header.<name>`. */
export const ASSERTION_FIELDS = [
  'status',
  'latency',
  'ttfb',
  'ttft',
  'tokens_per_s',
  'output_tokens',
  'answer',
  'body',
  'json.valid',
  'json.$<path>',
  'embedding.dim',
  'cert.days',
  'header.<name>',
] as const;

/** Comparison operators. */
export const ASSERTION_OPERATORS = ['==', '!=', '<=', '>=', '<', '>', 'matches', 'contains'] as const;
/** One of `ASSERTION_OPERATORS`. */
export type AssertionOperator = (typeof ASSERTION_OPERATORS)[number];

/** The field an assertion looks at. */
export type AssertionField =
  | { kind: 'time'; name: (typeof TIME_FIELDS)[number] }
  | { kind: 'number'; name: (typeof NUMBER_FIELDS)[number] }
  | { kind: 'text'; name: (typeof TEXT_FIELDS)[number] }
  | { kind: 'json.valid' }
  | { kind: 'json.path'; path: (string | number)[] }
  | { kind: 'header'; name: string };

/** The literal an assertion compares against. */
export type AssertionValue =
  | { type: 'number'; value: number }
  | { type: 'string'; value: string }
  | { type: 'boolean'; value: boolean }
  | { type: 'regex'; value: RegExp };

/** A parsed assertion expression. */
export interface ParsedAssertion {
  source: string;
  field: AssertionField;
  op: AssertionOperator;
  value: AssertionValue;
}

function fail(source: string, message: string): never {
  throw new NinesError('VALIDATION', `${message} in "${source}"`);
}

function parseJsonPath(text: string, source: string): (string | number)[] {
  // text starts after `json.$`
  const path: (string | number)[] = [];
  let i = 0;
  while (i < text.length) {
    if (text[i] === '.') {
      const m = /^\.([A-Za-z_][A-Za-z0-9_-]*)/.exec(text.slice(i));
      if (!m) fail(source, `bad JSON path segment "${text.slice(i)}"`);
      path.push(m[1]!);
      i += m[0].length;
    } else if (text[i] === '[') {
      const m = /^\[(\d+|"(?:[^"\\]|\\.)*"|'(?:[^'\\]|\\.)*')\]/.exec(text.slice(i));
      if (!m) fail(source, `bad JSON path index "${text.slice(i)}"`);
      const inner = m[1]!;
      path.push(/^\d/.test(inner) ? Number(inner) : unquote(inner));
      i += m[0].length;
    } else fail(source, `bad JSON path "${text}" (use e.g. json.$.data[0].id)`);
  }
  return path;
}

function unquote(q: string): string {
  return q.slice(1, -1).replace(/\\(.)/g, (_m, c: string) => (c === 'n' ? '\n' : c === 't' ? '\t' : c));
}

function parseField(token: string, source: string): AssertionField {
  if ((TIME_FIELDS as readonly string[]).includes(token))
    return { kind: 'time', name: token as (typeof TIME_FIELDS)[number] };
  if ((NUMBER_FIELDS as readonly string[]).includes(token))
    return { kind: 'number', name: token as (typeof NUMBER_FIELDS)[number] };
  if ((TEXT_FIELDS as readonly string[]).includes(token))
    return { kind: 'text', name: token as (typeof TEXT_FIELDS)[number] };
  if (token === 'json.valid') return { kind: 'json.valid' };
  if (token.startsWith('json.$')) return { kind: 'json.path', path: parseJsonPath(token.slice(6), source) };
  if (token.startsWith('header.') && /^header\.[A-Za-z0-9!#$%&'*+.^_`|~-]+$/.test(token)) {
    return { kind: 'header', name: token.slice(7).toLowerCase() };
  }
  return fail(source, `unknown field "${token}"`) as never;
}

/** Scans a field token: up to whitespace or an operator char, skipping quoted `["..."]` parts. */
function scanField(text: string): number {
  let i = 0;
  while (i < text.length) {
    const c = text[i]!;
    if (c === '"' || c === "'") {
      const end = text.indexOf(c, i + 1);
      i = end === -1 ? text.length : end + 1;
      continue;
    }
    if (/\s|[=!<>]/.test(c)) break;
    i++;
  }
  return i;
}

function parseValue(
  raw: string,
  field: AssertionField,
  op: AssertionOperator,
  source: string,
): AssertionValue {
  const text = raw.trim();
  if (text === '') fail(source, 'missing value');
  if (op === 'matches') {
    const m = /^\/(.*)\/([dgimsuvy]*)$/s.exec(text);
    if (!m) fail(source, `matches needs a /regex/flags, got ${text}`);
    try {
      return { type: 'regex', value: new RegExp(m[1]!, m[2]!.replace('g', '')) };
    } catch (err) {
      return fail(source, `invalid regex ${text}: ${(err as Error).message}`);
    }
  }
  if (/^"(?:[^"\\]|\\.)*"$/s.test(text) || /^'(?:[^'\\]|\\.)*'$/s.test(text))
    return { type: 'string', value: unquote(text) };
  if (op === 'contains') fail(source, `contains needs a quoted string, got ${text}`);
  if (text === 'true' || text === 'false') return { type: 'boolean', value: text === 'true' };
  if (/^-?\d+(\.\d+)?$/.test(text)) return { type: 'number', value: Number(text) };
  if (field.kind === 'time' || field.kind === 'json.path') {
    try {
      return { type: 'number', value: parseDuration(text) };
    } catch {
      // fall through to the error below
    }
  }
  return fail(
    source,
    `bad value ${text} (use a number, a duration such as 2s for time fields, "text", /re/ or true/false)`,
  );
}

function checkTypes(
  field: AssertionField,
  op: AssertionOperator,
  value: AssertionValue,
  source: string,
): void {
  const ordering = op === '<' || op === '<=' || op === '>' || op === '>=';
  const numeric = field.kind === 'time' || field.kind === 'number';
  if (numeric && (op === 'matches' || op === 'contains'))
    fail(source, `${op} applies to text fields, not ${fieldName(field)}`);
  if (numeric && value.type !== 'number') fail(source, `${fieldName(field)} compares with a number`);
  if ((field.kind === 'text' || field.kind === 'header') && ordering)
    fail(source, `${op} applies to numeric fields, not ${fieldName(field)}`);
  if (
    (field.kind === 'text' || field.kind === 'header') &&
    (value.type === 'number' || value.type === 'boolean')
  ) {
    fail(source, `${fieldName(field)} compares with a quoted string`);
  }
  if (field.kind === 'json.valid' && (value.type !== 'boolean' || (op !== '==' && op !== '!='))) {
    fail(source, 'json.valid takes == true or == false');
  }
  if (field.kind === 'json.path' && ordering && value.type !== 'number')
    fail(source, `${op} compares with a number`);
}

/** The name of a field as written, for messages and `actual` values. */
export function fieldName(field: AssertionField): string {
  switch (field.kind) {
    case 'time':
    case 'number':
    case 'text':
      return field.name;
    case 'json.valid':
      return 'json.valid';
    case 'json.path':
      return `json.$${field.path.map((p) => (typeof p === 'number' ? `[${p}]` : `.${p}`)).join('')}`;
    case 'header':
      return `header.${field.name}`;
  }
}

/** Parses one assertion expression; throws a VALIDATION NinesError that names the problem. */
export function parseAssertion(source: string): ParsedAssertion {
  const text = source.trim();
  const end = scanField(text);
  const token = text.slice(0, end);
  if (token === '') fail(source, 'missing field');
  let field: AssertionField;
  try {
    field = parseField(token, source);
  } catch (err) {
    if ((err as Error).message.startsWith('unknown field')) {
      throw new NinesError(
        'VALIDATION',
        `${(err as Error).message} (fields: ${ASSERTION_FIELDS.join(', ')})`,
      );
    }
    throw err;
  }
  const rest = text.slice(end).trimStart();
  const op = ASSERTION_OPERATORS.find(
    (o) => rest.startsWith(o) && (/^[a-z]/.test(o) ? /^\s/.test(rest.slice(o.length)) : true),
  );
  if (!op) fail(source, `expected an operator after "${token}" (${ASSERTION_OPERATORS.join(' ')})`);
  const value = parseValue(rest.slice(op.length), field, op, source);
  checkTypes(field, op, value, source);
  return { source, field, op, value };
}

/** One assertion entry in a target's `assertions` list; its expression is checked at load. */
export const assertionSchema = z
  .union([
    z.string().min(1),
    z.object({ expr: z.string().min(1), severity: z.enum(['fail', 'degrade']).default('fail') }).strict(),
  ])
  .superRefine((entry, ctx) => {
    try {
      parseAssertion(typeof entry === 'string' ? entry : entry.expr);
    } catch (err) {
      ctx.addIssue({ code: 'custom', message: (err as Error).message });
    }
  });

/** An assertion entry as written in config. */
export type AssertionEntry = z.infer<typeof assertionSchema>;
