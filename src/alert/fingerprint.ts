/** Stable alert identity: a hash of the sorted label set, independent of label order. */
import { createHash } from 'node:crypto';
import type { Labels } from './types.ts';

/** Formats labels canonically, sorted by name: `{a="1", b="2"}` (also used in group keys). */
export function formatLabels(labels: Labels): string {
  const parts = Object.keys(labels)
    .sort()
    .map((k) => `${k}=${JSON.stringify(labels[k])}`);
  return `{${parts.join(', ')}}`;
}

/** 16 hex digits of SHA-256 over the canonical label set; equal label sets give equal fingerprints. */
export function fingerprint(labels: Labels): string {
  return createHash('sha256').update(formatLabels(labels)).digest('hex').slice(0, 16);
}
