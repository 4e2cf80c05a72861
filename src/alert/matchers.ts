/** Label matching with Alertmanager semantics: regexes are anchored, a missing label is "". */
import { parseMatcher } from '../config/alerting.ts';
import type { Labels, Matcher } from './types.ts';

export { parseMatcher };

const cache = new Map<string, RegExp>();

function regex(value: string): RegExp {
  let re = cache.get(value);
  if (!re) {
    re = new RegExp(`^(?:${value})$`);
    if (cache.size > 1000) cache.clear();
    cache.set(value, re);
  }
  return re;
}

/** True when `labels` satisfies one matcher. */
export function matches(m: Matcher, labels: Labels): boolean {
  const v = labels[m.name] ?? '';
  switch (m.op) {
    case '=':
      return v === m.value;
    case '!=':
      return v !== m.value;
    case '=~':
      return regex(m.value).test(v);
    case '!~':
      return !regex(m.value).test(v);
  }
}

/** True when `labels` satisfies every matcher (an empty list matches everything). */
export function matchesAll(ms: readonly Matcher[], labels: Labels): boolean {
  return ms.every((m) => matches(m, labels));
}

/** Formats matchers the way Alertmanager prints them: `{severity="page", model=~"gpt-.*"}`. */
export function formatMatchers(ms: readonly Matcher[]): string {
  return `{${ms.map((m) => `${m.name}${m.op}${JSON.stringify(m.value)}`).join(', ')}}`;
}
