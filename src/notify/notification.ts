/**
 * The notification shapes notify/ delivers: src/alert's contract (`Alert`, `Notification`, times
 * in epoch ms), which maps 1:1 onto Alertmanager's webhook payload (version 4). Channels write
 * times as RFC 3339 on the wire.
 */
export type { Alert, Labels, Notification } from '../alert/types.ts';

/** RFC 3339 (ISO 8601, UTC) form of an epoch-ms time, as every wire format here wants it. */
export function isoTime(ms: number): string {
  return new Date(ms).toISOString();
}

/** Options every channel takes besides its own config. */
export interface ChannelOptions {
  /** Link back to nines (Alertmanager's `externalURL`), used in payloads and messages. */
  externalURL?: string;
}
