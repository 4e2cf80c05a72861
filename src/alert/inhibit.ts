/**
 * Inhibition (Alertmanager `inhibit_rules`): while a source alert fires, target alerts whose
 * `equal` labels have the same values are muted, e.g. a ProviderDown alert inhibits the alerts
 * of every model behind that provider with `equal: [provider]`.
 */
import type { InhibitRuleConfig } from '../config/alerting.ts';
import { fingerprint } from './fingerprint.ts';
import { matchesAll } from './matchers.ts';
import type { Muter } from './muter.ts';
import type { Alert } from './types.ts';

/** A muter that checks `rules` against the firing alerts `alerts()` returns. */
export function inhibitMuter(rules: readonly InhibitRuleConfig[], alerts: () => Iterable<Alert>): Muter {
  return {
    mutes(labels, now) {
      if (rules.length === 0) return undefined;
      const self = fingerprint(labels);
      for (const [i, rule] of rules.entries()) {
        if (!matchesAll(rule.target_matchers, labels)) continue;
        // An alert matching both sides is not inhibited by another two-sided alert (Alertmanager).
        const twoSided = matchesAll(rule.source_matchers, labels);
        for (const source of alerts()) {
          if (source.state !== 'firing' || (source.endsAt !== undefined && source.endsAt <= now)) continue;
          if (source.fingerprint === self || !matchesAll(rule.source_matchers, source.labels)) continue;
          if (twoSided && matchesAll(rule.target_matchers, source.labels)) continue;
          if (rule.equal.every((name) => (source.labels[name] ?? '') === (labels[name] ?? ''))) {
            return { by: 'inhibition', id: `inhibit_rules[${i}]:${source.fingerprint}` };
          }
        }
      }
      return undefined;
    },
  };
}
