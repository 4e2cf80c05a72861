/**
 * The small template syntax of channel texts (titles, summaries, subjects). A template is text
 * with `{{ .Field }}` placeholders, Alertmanager-style, and nothing else (no pipes, no logic):
 *
 *   .Status .StatusUpper .Receiver .GroupKey .ExternalURL
 *   .NumAlerts .NumFiring .NumResolved
 *   .GroupLabels.<name> .CommonLabels.<name> .CommonAnnotations.<name>
 *
 * Unknown fields are refused when the config loads; a label that is absent renders as ''.
 */
import type { Notification } from './notification.ts';

const PLACEHOLDER_RE = /\{\{\s*([^}]*?)\s*\}\}/g;
const SCALARS = [
  'Status',
  'StatusUpper',
  'Receiver',
  'GroupKey',
  'ExternalURL',
  'NumAlerts',
  'NumFiring',
  'NumResolved',
];
const MAPS = ['GroupLabels', 'CommonLabels', 'CommonAnnotations'];
const MAP_FIELD_RE = /^\.(GroupLabels|CommonLabels|CommonAnnotations)\.([A-Za-z_][A-Za-z0-9_]*)$/;

/** Returns a message for the first placeholder the syntax does not know, or undefined if valid. */
export function templateProblem(template: string): string | undefined {
  for (const m of template.matchAll(PLACEHOLDER_RE)) {
    const expr = m[1]!;
    if (expr.startsWith('.') && SCALARS.includes(expr.slice(1))) continue;
    if (MAP_FIELD_RE.test(expr)) continue;
    return `unknown template field "{{ ${expr} }}" (use ${SCALARS.map((s) => '.' + s).join(', ')}, or ${MAPS.map((s) => '.' + s + '.<name>').join(', ')})`;
  }
  const stray = template.replace(PLACEHOLDER_RE, '');
  if (stray.includes('{{')) return 'unclosed "{{" in template';
  return undefined;
}

/** Renders a template for a notification. Call `templateProblem` at load; here unknowns render as ''. */
export function renderTemplate(template: string, n: Notification, externalURL = ''): string {
  return template.replace(PLACEHOLDER_RE, (_, expr: string) => {
    const map = MAP_FIELD_RE.exec(expr);
    if (map) {
      const source =
        map[1] === 'GroupLabels'
          ? n.groupLabels
          : map[1] === 'CommonLabels'
            ? n.commonLabels
            : n.commonAnnotations;
      return source[map[2]!] ?? '';
    }
    switch (expr) {
      case '.Status':
        return n.status;
      case '.StatusUpper':
        return n.status.toUpperCase();
      case '.Receiver':
        return n.receiver;
      case '.GroupKey':
        return n.groupKey;
      case '.ExternalURL':
        return externalURL;
      case '.NumAlerts':
        return String(n.alerts.length);
      case '.NumFiring':
        return String(n.alerts.filter((a) => a.state === 'firing').length);
      case '.NumResolved':
        return String(n.alerts.filter((a) => a.state === 'resolved').length);
      default:
        return '';
    }
  });
}

/**
 * Alertmanager's default one-line description: `[FIRING:2] HighLatency (team="ml" …)`, built
 * from the status, the alert count and the group labels.
 */
export function defaultTitle(n: Notification): string {
  const count = n.status === 'firing' ? n.alerts.filter((a) => a.state === 'firing').length : n.alerts.length;
  const name = n.groupLabels['alertname'] ?? n.commonLabels['alertname'] ?? '';
  const rest = Object.entries(n.groupLabels)
    .filter(([k]) => k !== 'alertname')
    .map(([k, v]) => `${k}="${v}"`)
    .join(' ');
  return `[${n.status.toUpperCase()}:${count}] ${name}${rest ? ` (${rest})` : ''}`.trim();
}

const ENV_RE = /\$\{([A-Za-z_][A-Za-z0-9_]*)\}/g;

/** Replaces `${NAME}` with the environment value; returns the names that were missing. */
export function expandEnv(
  text: string,
  env: Record<string, string | undefined>,
): { value: string; missing: string[] } {
  const missing: string[] = [];
  const value = text.replace(ENV_RE, (_, name: string) => {
    const v = env[name];
    if (v === undefined) missing.push(name);
    return v ?? '';
  });
  return { value, missing };
}
