/** Formatting of numbers, durations and times for display. */

/** A fraction 0..1 as a percentage with enough digits for "nines" (99.95%). */
export function pct(x: number | null | undefined, digits = 2): string {
  if (x === null || x === undefined || !Number.isFinite(x)) return '—';
  return `${(x * 100).toFixed(x >= 0.999 && x < 1 ? Math.max(digits, 3) : digits)}%`;
}

/** Milliseconds as "120 ms" or "1.25 s". */
export function ms(x: number | null | undefined): string {
  if (x === null || x === undefined || !Number.isFinite(x)) return '—';
  return x < 1000 ? `${Math.round(x)} ms` : `${(x / 1000).toFixed(2)} s`;
}

/** A duration as "3d 4h", "2h 5m", "40s". */
export function duration(x: number | null | undefined): string {
  if (x === null || x === undefined || !Number.isFinite(x)) return '—';
  const sec = Math.round(x / 1000);
  if (sec < 60) return `${sec}s`;
  const min = Math.floor(sec / 60);
  if (min < 60) return `${min}m ${sec % 60}s`;
  const hr = Math.floor(min / 60);
  if (hr < 48) return `${hr}h ${min % 60}m`;
  return `${Math.floor(hr / 24)}d ${hr % 24}h`;
}

/** A timestamp (ms) as a local date-time. */
export function time(at: number | string | null | undefined): string {
  if (at === null || at === undefined) return '—';
  const d = new Date(at);
  return Number.isNaN(d.getTime()) ? '—' : d.toLocaleString();
}

/** "5m ago" style relative time. */
export function ago(at: number | undefined, now = Date.now()): string {
  return at === undefined ? '—' : `${duration(Math.max(0, now - at))} ago`;
}
