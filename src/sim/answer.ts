/**
 * Deterministic, plausibly correct answers: a prompt with simple arithmetic ("What is 2+2?")
 * gets the right number, anything else a canned sentence. Answers are split into word tokens so
 * streams and `max_tokens` behave like a real model's.
 */

const FILLER =
  'The simulated provider keeps writing tokens so that clients can measure time to first token, throughput and how streams end.'.split(
    ' ',
  );

type Tok = { t: 'num'; v: number } | { t: 'op'; v: string };

function lex(expr: string): Tok[] | undefined {
  const out: Tok[] = [];
  const re = /\s*(\d+(?:\.\d+)?|[-+*/()])/y;
  let pos = 0;
  while (pos < expr.length) {
    re.lastIndex = pos;
    const m = re.exec(expr);
    if (!m) return expr.slice(pos).trim() === '' ? out : undefined;
    const s = m[1]!;
    out.push(/\d/.test(s) ? { t: 'num', v: Number(s) } : { t: 'op', v: s });
    pos = re.lastIndex;
  }
  return out;
}

/** Recursive descent over + - * / and parentheses; undefined when the text is not an expression. */
function parse(toks: Tok[]): number | undefined {
  let i = 0;
  const peek = (): Tok | undefined => toks[i];
  const factor = (): number | undefined => {
    const tok = toks[i++];
    if (!tok) return undefined;
    if (tok.t === 'num') return tok.v;
    if (tok.v === '-') {
      const v = factor();
      return v === undefined ? undefined : -v;
    }
    if (tok.v === '(') {
      const v = sum();
      const close = toks[i++];
      return close && close.t === 'op' && close.v === ')' ? v : undefined;
    }
    return undefined;
  };
  const product = (): number | undefined => {
    let v = factor();
    for (let p = peek(); v !== undefined && p?.t === 'op' && (p.v === '*' || p.v === '/'); p = peek()) {
      i++;
      const r = factor();
      if (r === undefined) return undefined;
      v = p.v === '*' ? v * r : v / r;
    }
    return v;
  };
  const sum = (): number | undefined => {
    let v = product();
    for (let p = peek(); v !== undefined && p?.t === 'op' && (p.v === '+' || p.v === '-'); p = peek()) {
      i++;
      const r = product();
      if (r === undefined) return undefined;
      v = p.v === '+' ? v + r : v - r;
    }
    return v;
  };
  const v = sum();
  return i === toks.length && v !== undefined && Number.isFinite(v) ? v : undefined;
}

/**
 * Finds and evaluates the first arithmetic expression in `text` (`2+2`, `3 x 4`, `(1+2)*3`,
 * `10 divided by 4`); undefined when there is none.
 */
export function evaluateArithmetic(text: string): number | undefined {
  const normalized = text
    .replace(/(\d)\s*(?:[x×]|times|multiplied by)\s*(?=[\d(])/gi, '$1*')
    .replace(/(\d)\s*(?:÷|divided by)\s*(?=[\d(])/gi, '$1/')
    .replace(/(\d)\s*plus\s*(?=[\d(])/gi, '$1+')
    .replace(/(\d)\s*minus\s*(?=[\d(])/gi, '$1-');
  const candidates = normalized.match(/-?[\d(][\d\s+\-*/().]*[\d)]/g) ?? [];
  for (const candidate of candidates) {
    if (!/\d\s*[-+*/]\s*[\d(-]/.test(candidate)) continue;
    const toks = lex(candidate);
    const value = toks && parse(toks);
    if (value !== undefined) return value;
  }
  return undefined;
}

/** Formats a number the way a model would write it: `4`, `2.5`, `0.333333`. */
export function formatNumber(v: number): string {
  if (Number.isInteger(v)) return String(v);
  return String(Number(v.toFixed(6)));
}

/** Recent answers: benchmarks and probes repeat the same prompts, and evaluation is regex-heavy. */
const cache = new Map<string, string>();
const CACHE_LIMIT = 1000;

/** The answer text for a prompt: the arithmetic result, or a canned sentence; `wrong` spoils it. */
export function answerText(prompt: string, model: string, wrong = false): string {
  const key = `${wrong ? 1 : 0}\u0000${model}\u0000${prompt}`;
  let text = cache.get(key);
  if (text === undefined) {
    if (cache.size >= CACHE_LIMIT) cache.clear();
    text = computeAnswer(prompt, model, wrong);
    cache.set(key, text);
  }
  return text;
}

function computeAnswer(prompt: string, model: string, wrong: boolean): string {
  const value = evaluateArithmetic(prompt);
  if (value !== undefined) return formatNumber(wrong ? value + 1 : value);
  return wrong
    ? 'Bananas are a kind of prime number.'
    : `This is a simulated reply from ${model}. It is deterministic and always the same.`;
}

/** Splits text into word tokens, each after the first keeping its leading space. */
export function tokenize(text: string): string[] {
  return text.split(' ').map((w, i) => (i === 0 ? w : ` ${w}`));
}

/** Rough token count of some prompt text (about four characters a token, at least one). */
export function countTokens(text: string): number {
  return Math.max(1, Math.ceil(text.length / 4));
}

/** Options for `answerTokens`. */
export interface AnswerOptions {
  wrong?: boolean;
  /** Pad the answer with filler words up to this many tokens (the provider's `streamChunks`). */
  minTokens?: number;
  /** The request's `max_tokens`: cut the answer there. */
  maxTokens?: number;
  /** Answer with this text instead of one computed from the prompt (a reply to a tool result). */
  text?: string;
}

/** The answer as tokens, padded and cut as asked; `truncated` tells if `maxTokens` cut it. */
export function answerTokens(
  prompt: string,
  model: string,
  options: AnswerOptions = {},
): { tokens: string[]; truncated: boolean } {
  const tokens = tokenize(options.text ?? answerText(prompt, model, options.wrong));
  if (options.minTokens !== undefined) {
    for (let i = 0; tokens.length < options.minTokens; i++) tokens.push(` ${FILLER[i % FILLER.length]}`);
  }
  if (options.maxTokens !== undefined && options.maxTokens >= 0 && tokens.length > options.maxTokens) {
    return { tokens: tokens.slice(0, Math.max(1, options.maxTokens)), truncated: true };
  }
  return { tokens, truncated: false };
}

/**
 * A deterministic value for a JSON schema, the sim's tool call arguments: an enum's first value,
 * strings `'sim'`, numbers `1`, booleans `true`, arrays `[]`, objects every property filled in.
 */
export function sampleInput(schema: Record<string, unknown> | undefined): unknown {
  if (Array.isArray(schema?.enum) && schema.enum.length > 0) return schema.enum[0];
  switch (schema?.type) {
    case 'integer':
    case 'number':
      return 1;
    case 'boolean':
      return true;
    case 'array':
      return [];
    case 'object': {
      const out: Record<string, unknown> = {};
      const props = schema.properties;
      if (props && typeof props === 'object') {
        for (const [k, v] of Object.entries(props as Record<string, unknown>))
          out[k] = sampleInput(v && typeof v === 'object' ? (v as Record<string, unknown>) : undefined);
      }
      return out;
    }
    default:
      return 'sim';
  }
}
