/**
 * Evaluates assertions (parsed by src/config/assertions.ts) against what a probe observed, and
 * supplies the default assertions of each kind when a target lists none.
 */
import {
  fieldName,
  parseAssertion,
  type AssertionEntry,
  type ParsedAssertion,
} from '../config/assertions.ts';
import type { Target } from '../config/resolve.ts';
import type { AssertionOutcome } from '../store/types.ts';
import type { ProbeFacts } from './facts.ts';
import { jsonDepth, MAX_JSON_DEPTH } from './transport.ts';

/** A parsed assertion with its severity. */
export interface CompiledAssertion {
  parsed: ParsedAssertion;
  severity: 'fail' | 'degrade';
}

/** Assertions used when a target lists none: enough to tell a working endpoint from a broken one. */
export function defaultAssertions(target: Target): AssertionEntry[] {
  switch (target.kind) {
    case 'http':
      return ['status < 400'];
    case 'openai-chat':
    case 'anthropic-messages':
      return ['answer != ""'];
    case 'openai-embeddings':
      return [target.dimension !== undefined ? `embedding.dim == ${target.dimension}` : 'embedding.dim > 0'];
    case 'kserve-v2':
      return ['status == 200'];
    case 'tls':
      return [{ expr: 'cert.days >= 14', severity: 'degrade' }];
    case 'tcp':
      return [];
  }
}

const cache = new Map<string, ParsedAssertion>();

/** Parses a target's assertions (or the kind's defaults), caching parsed expressions. */
export function compileAssertions(target: Target): CompiledAssertion[] {
  const entries = target.assertions.length > 0 ? target.assertions : defaultAssertions(target);
  return entries.map((entry) => {
    const expr = typeof entry === 'string' ? entry : entry.expr;
    let parsed = cache.get(expr);
    if (!parsed) {
      parsed = parseAssertion(expr);
      if (cache.size > 10_000) cache.clear();
      cache.set(expr, parsed);
    }
    return { parsed, severity: typeof entry === 'string' ? 'fail' : (entry.severity ?? 'fail') };
  });
}

const NO_JSON = Symbol('no-json');

/** Lazily decoded views of the body, computed at most once per result. */
class BodyView {
  private text: string | null | undefined;
  private json: unknown = undefined;
  private jsonDone = false;
  constructor(private readonly facts: ProbeFacts) {}

  bodyText(): string | undefined {
    if (this.text === undefined) {
      const raw = this.facts.rawBody;
      try {
        this.text = raw ? new TextDecoder('utf-8', { fatal: true }).decode(raw) : null;
      } catch {
        this.text = null;
      }
    }
    return this.text ?? undefined;
  }

  parsed(): unknown {
    if (!this.jsonDone) {
      this.jsonDone = true;
      if (this.facts.json !== undefined) this.json = this.facts.json;
      else {
        const text = this.bodyText();
        this.json = NO_JSON;
        if (text !== undefined && jsonDepth(text) <= MAX_JSON_DEPTH) {
          try {
            this.json = JSON.parse(text);
          } catch {
            this.json = NO_JSON;
          }
        }
      }
    }
    return this.json;
  }
}

function lookup(a: ParsedAssertion, facts: ProbeFacts, latencyMs: number, view: BodyView): unknown {
  const f = a.field;
  switch (f.kind) {
    case 'time':
      return f.name === 'latency' ? latencyMs : f.name === 'ttfb' ? facts.ttfbMs : facts.ttftMs;
    case 'number':
      if (f.name === 'status') return facts.status;
      if (f.name === 'tokens_per_s') return facts.tokensPerSec;
      if (f.name === 'output_tokens') return facts.outputTokens;
      if (f.name === 'embedding.dim') return facts.embeddingDim;
      return facts.certDaysLeft;
    case 'text':
      return f.name === 'answer' ? facts.answer : view.bodyText();
    case 'header':
      return facts.headers?.[f.name];
    case 'json.valid':
      return view.parsed() !== NO_JSON;
    case 'json.path': {
      let cur = view.parsed();
      if (cur === NO_JSON) return undefined;
      for (const step of f.path) {
        if (cur === null || typeof cur !== 'object') return undefined;
        cur = (cur as Record<string | number, unknown>)[step];
      }
      return cur;
    }
  }
}

function show(v: unknown): string {
  const s =
    typeof v === 'string'
      ? JSON.stringify(v)
      : v === undefined
        ? 'missing'
        : (JSON.stringify(v) ?? String(v));
  return s.length > 200 ? `${s.slice(0, 197)}...` : s;
}

function compare(a: ParsedAssertion, actual: unknown): boolean {
  const { op, value } = a;
  if (actual === undefined) return false;
  if (op === 'matches') return typeof actual === 'string' && (value.value as RegExp).test(actual);
  if (op === 'contains') {
    if (typeof actual === 'string') return actual.includes(value.value as string);
    return Array.isArray(actual) && actual.includes(value.value);
  }
  if (op === '==' || op === '!=') {
    const equal = typeof actual === 'object' ? false : actual === value.value;
    return op === '==' ? equal : !equal;
  }
  if (typeof actual !== 'number' || typeof value.value !== 'number') return false;
  if (op === '<') return actual < value.value;
  if (op === '<=') return actual <= value.value;
  if (op === '>') return actual > value.value;
  return actual >= value.value;
}

/** Evaluates each assertion; returns its verdict with the value seen (`actual`). */
export function evaluateAssertions(
  assertions: readonly CompiledAssertion[],
  facts: ProbeFacts,
  latencyMs: number,
): AssertionOutcome[] {
  const view = new BodyView(facts);
  return assertions.map(({ parsed, severity }) => {
    const actual = lookup(parsed, facts, latencyMs, view);
    return { expr: parsed.source, ok: compare(parsed, actual), severity, actual: show(actual) };
  });
}

/** True when the assertion is about the HTTP status (its failure maps to an http_* class). */
export function isStatusAssertion(expr: string): boolean {
  const parsed = cache.get(expr) ?? parseAssertion(expr);
  return fieldName(parsed.field) === 'status';
}
