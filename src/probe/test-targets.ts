/** Test helper: builds complete `Target`s with small timeouts for probe tests. */
import type { Target } from '../config/resolve.ts';

/** A complete target of `kind` at `url`, with test-friendly defaults overridable by `extra`. */
export function testTarget(kind: Target['kind'], url: string, extra: Partial<Target> = {}): Target {
  return {
    name: `t-${kind}`,
    kind,
    url,
    enabled: true,
    headers: {},
    assertions: [],
    labels: {},
    interval: 10_000,
    timeout: 2_000,
    failureThreshold: 3,
    successThreshold: 2,
    maxBodyBytes: 10 * 1024 * 1024,
    ...extra,
  };
}
