/**
 * Building notifications from a group flush, the rate-limit summary, and the Alertmanager
 * webhook v4 form that src/notify sends on the wire (ISO times, `version: "4"`).
 */
import type { FlushContext } from './stage.ts';
import type { Alert, Labels, Notification } from './types.ts';

function common(maps: Labels[]): Labels {
  if (maps.length === 0) return {};
  const out: Labels = { ...maps[0] };
  for (const m of maps.slice(1)) for (const k of Object.keys(out)) if (m[k] !== out[k]) delete out[k];
  return out;
}

/** Orders alerts oldest first, then by fingerprint, so notifications are stable. */
export function sortAlerts(alerts: Alert[]): Alert[] {
  return [...alerts].sort((a, b) => a.startsAt - b.startsAt || a.fingerprint.localeCompare(b.fingerprint));
}

/** The notification for one flush of one group to one receiver. */
export function buildNotification(ctx: FlushContext, alerts: Alert[]): Notification {
  const sorted = sortAlerts(alerts);
  return {
    receiver: ctx.receiver,
    groupKey: ctx.groupKey,
    groupLabels: ctx.groupLabels,
    commonLabels: common(sorted.map((a) => a.labels)),
    commonAnnotations: common(sorted.map((a) => a.annotations)),
    alerts: sorted,
    status: sorted.some((a) => a.state === 'firing') ? 'firing' : 'resolved',
    truncatedAlerts: 0,
  };
}

/** One notification that stands for several held by a receiver's rate limit (nothing is dropped). */
export function summarize(receiver: string, held: Notification[]): Notification {
  const byFp = new Map<string, Alert>();
  for (const n of held) for (const a of n.alerts) byFp.set(a.fingerprint, a);
  const alerts = sortAlerts([...byFp.values()]);
  const firing = alerts.filter((a) => a.state === 'firing').length;
  return {
    receiver,
    groupKey: `{}:{rate_limited=${JSON.stringify(receiver)}}`,
    groupLabels: { rate_limited: receiver },
    commonLabels: common(alerts.map((a) => a.labels)),
    commonAnnotations: {
      summary: `${held.length} notifications for ${receiver} were held by its rate limit: ${firing} alerts firing, ${alerts.length - firing} resolved`,
    },
    alerts,
    status: firing > 0 ? 'firing' : 'resolved',
    truncatedAlerts: 0,
    summarizes: held.map((n) => n.groupKey),
  };
}

/** The Alertmanager webhook v4 payload for a notification. */
export function toWebhookPayload(n: Notification, externalURL: string): Record<string, unknown> {
  const iso = (ms: number | undefined) => new Date(ms ?? 0).toISOString();
  return {
    version: '4',
    groupKey: n.groupKey,
    truncatedAlerts: n.truncatedAlerts ?? 0,
    status: n.status,
    receiver: n.receiver,
    groupLabels: n.groupLabels,
    commonLabels: n.commonLabels,
    commonAnnotations: n.commonAnnotations,
    externalURL,
    alerts: n.alerts.map((a) => ({
      status: a.state === 'firing' ? 'firing' : 'resolved',
      labels: a.labels,
      annotations: a.annotations,
      startsAt: iso(a.startsAt),
      endsAt: iso(a.endsAt),
      generatorURL: a.generatorURL ?? '',
      fingerprint: a.fingerprint,
    })),
  };
}
