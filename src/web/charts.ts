/**
 * Hand-written SVG charts: sparklines, line charts with bands and markers, 90-day uptime bars
 * and state timelines. Colours come from CSS classes; every chart has a text alternative.
 */
import { s } from './dom.ts';
import { pct, duration, time } from './format.ts';

/** Availability → CSS class of an uptime bar. */
export function availabilityClass(a: number | null | undefined): string {
  if (a === null || a === undefined) return 'bar-none';
  if (a >= 0.999) return 'bar-up';
  if (a >= 0.99) return 'bar-minor';
  if (a >= 0.95) return 'bar-partial';
  return 'bar-major';
}

/** A small line of values (nulls are gaps); `label` is read by screen readers. */
export function sparkline(values: (number | null)[], label: string, width = 120, height = 28): SVGElement {
  const nums = values.filter((v): v is number => v !== null && Number.isFinite(v));
  const svg = s('svg', {
    class: 'spark',
    width,
    height,
    viewBox: `0 0 ${width} ${height}`,
    role: 'img',
    'aria-label': label,
  });
  if (nums.length < 2) return svg;
  const max = Math.max(...nums);
  const min = Math.min(...nums);
  const span = max - min || 1;
  const step = width / Math.max(1, values.length - 1);
  let d = '';
  let pen = false;
  values.forEach((v, i) => {
    if (v === null || !Number.isFinite(v)) {
      pen = false;
      return;
    }
    const y = height - 2 - ((v - min) / span) * (height - 4);
    d += `${pen ? 'L' : 'M'}${(i * step).toFixed(1)},${y.toFixed(1)}`;
    pen = true;
  });
  svg.appendChild(s('path', { d, class: 'spark-line' }));
  return svg;
}

/** One day of uptime for the bars. */
export interface UptimeDay {
  date: string;
  availability: number | null;
  downtimeMs: number;
}

let tooltip: HTMLElement | undefined;

function showTip(text: string, x: number, y: number): void {
  if (!tooltip) {
    tooltip = document.createElement('div');
    tooltip.className = 'tooltip';
    tooltip.setAttribute('role', 'tooltip');
    document.body.appendChild(tooltip);
  }
  tooltip.textContent = text;
  tooltip.style.left = `${Math.round(x + window.scrollX + 12)}px`;
  tooltip.style.top = `${Math.round(y + window.scrollY + 12)}px`;
  tooltip.hidden = false;
}

/** Hides the bar tooltip (on leaving a bar, and on navigation). */
export function hideTip(): void {
  if (tooltip) tooltip.hidden = true;
}

/** The hover text of one day's bar. */
export function dayText(d: UptimeDay): string {
  return d.availability === null
    ? `${d.date}: no data`
    : `${d.date}: ${pct(d.availability)} available${d.downtimeMs > 0 ? `, ${duration(d.downtimeMs)} down` : ', no outage'}`;
}

/**
 * Status-page style bars, one per day, with the day's availability and downtime on hover.
 * Drawn as one path per colour (not one element per day) so 100 rows × 90 days stay cheap.
 */
export function uptimeBars(days: UptimeDay[], label: string, width = 270, height = 24): SVGElement {
  const svg = s('svg', {
    class: 'bars',
    width,
    height,
    viewBox: `0 0 ${width} ${height}`,
    role: 'img',
    'aria-label': label,
  });
  const n = Math.max(days.length, 1);
  const w = width / n;
  const paths = new Map<string, string>();
  days.forEach((d, i) => {
    const cls = availabilityClass(d.availability);
    paths.set(
      cls,
      `${paths.get(cls) ?? ''}M${(i * w).toFixed(2)} 0h${Math.max(1, w - 1).toFixed(2)}v${height}H${(i * w).toFixed(2)}z`,
    );
  });
  for (const [cls, d] of paths) svg.appendChild(s('path', { d, class: cls }));
  svg.addEventListener('mousemove', (e) => {
    const box = svg.getBoundingClientRect();
    const day = days[Math.floor(((e.clientX - box.left) / box.width) * n)];
    if (day) showTip(dayText(day), e.clientX, e.clientY);
  });
  svg.addEventListener('mouseleave', hideTip);
  return svg;
}

/** One series of a line chart. */
export interface Series {
  name: string;
  cls: string;
  points: { at: number; value: number | null }[];
  dashed?: boolean;
}

/** Options of `lineChart`. */
export interface LineChartOptions {
  title: string;
  series: Series[];
  /** A shaded band (forecast interval). */
  band?: { at: number; lo: number; hi: number }[];
  /** Highlighted moments (anomalies). */
  markers?: { at: number; label: string }[];
  unit?: (v: number) => string;
  width?: number;
  height?: number;
}

/** A time-series line chart with y-axis labels, a legend, an optional band and markers. */
export function lineChart(o: LineChartOptions): SVGElement {
  const width = o.width ?? 720;
  const height = o.height ?? 200;
  const pad = { l: 60, r: 10, t: 10, b: 24 };
  const fmt = o.unit ?? ((v: number) => String(Math.round(v)));
  const ats: number[] = [];
  const vals: number[] = [];
  for (const se of o.series)
    for (const p of se.points) {
      ats.push(p.at);
      if (p.value !== null && Number.isFinite(p.value)) vals.push(p.value);
    }
  for (const b of o.band ?? []) {
    ats.push(b.at);
    vals.push(b.lo, b.hi);
  }
  const summary = o.series.map((se) => `${se.name}: ${se.points.length} points`).join('; ');
  const svg = s('svg', {
    class: 'chart',
    viewBox: `0 0 ${width} ${height}`,
    role: 'img',
    'aria-label': `${o.title}. ${summary}`,
  });
  if (ats.length === 0 || vals.length === 0) {
    svg.appendChild(
      s(
        'text',
        { x: width / 2, y: height / 2, 'text-anchor': 'middle', class: 'chart-empty' },
        'no data in this range',
      ),
    );
    return svg;
  }
  const x0 = Math.min(...ats);
  const x1 = Math.max(...ats, x0 + 1);
  const y0 = Math.min(0, ...vals);
  const y1 = Math.max(...vals, y0 + 1);
  const X = (at: number) => pad.l + ((at - x0) / (x1 - x0)) * (width - pad.l - pad.r);
  const Y = (v: number) => height - pad.b - ((v - y0) / (y1 - y0)) * (height - pad.t - pad.b);
  for (const f of [0, 0.5, 1]) {
    const v = y0 + f * (y1 - y0);
    svg.appendChild(s('line', { x1: pad.l, x2: width - pad.r, y1: Y(v), y2: Y(v), class: 'grid' }));
    svg.appendChild(s('text', { x: pad.l - 6, y: Y(v) + 4, 'text-anchor': 'end', class: 'axis' }, fmt(v)));
  }
  svg.appendChild(s('text', { x: pad.l, y: height - 6, class: 'axis' }, time(x0)));
  svg.appendChild(
    s('text', { x: width - pad.r, y: height - 6, 'text-anchor': 'end', class: 'axis' }, time(x1)),
  );
  if (o.band && o.band.length > 1) {
    const top = o.band.map((b) => `${X(b.at).toFixed(1)},${Y(b.hi).toFixed(1)}`);
    const bottom = o.band.map((b) => `${X(b.at).toFixed(1)},${Y(b.lo).toFixed(1)}`).reverse();
    svg.appendChild(
      s(
        'polygon',
        { points: [...top, ...bottom].join(' '), class: 'band' },
        s('title', null, 'forecast interval'),
      ),
    );
  }
  for (const se of o.series) {
    let d = '';
    let pen = false;
    for (const p of se.points) {
      if (p.value === null || !Number.isFinite(p.value)) {
        pen = false;
        continue;
      }
      d += `${pen ? 'L' : 'M'}${X(p.at).toFixed(1)},${Y(p.value).toFixed(1)}`;
      pen = true;
    }
    svg.appendChild(
      s('path', { d, class: `line ${se.cls}${se.dashed ? ' dashed' : ''}` }, s('title', null, se.name)),
    );
  }
  for (const m of o.markers ?? []) {
    svg.appendChild(
      s(
        'circle',
        { cx: X(m.at), cy: pad.t + 4, r: 4, class: 'marker' },
        s('title', null, `${time(m.at)}: ${m.label}`),
      ),
    );
  }
  return svg;
}

/** A state segment for the timeline. */
export interface StateSegment {
  from: number;
  to: number;
  state: string;
}

/** A horizontal bar of state segments (up/degraded/down/unknown) over time. */
export function stateTimeline(segments: StateSegment[], label: string, width = 720, height = 20): SVGElement {
  const svg = s('svg', {
    class: 'timeline',
    viewBox: `0 0 ${width} ${height}`,
    role: 'img',
    'aria-label': label,
  });
  if (segments.length === 0) return svg;
  const x0 = segments[0]!.from;
  const x1 = Math.max(segments[segments.length - 1]!.to, x0 + 1);
  for (const seg of segments) {
    const x = ((seg.from - x0) / (x1 - x0)) * width;
    const w = Math.max(1, ((seg.to - seg.from) / (x1 - x0)) * width);
    svg.appendChild(
      s(
        'rect',
        { x: x.toFixed(1), y: 0, width: w.toFixed(1), height, class: `state-${seg.state}` },
        s('title', null, `${seg.state} from ${time(seg.from)} for ${duration(seg.to - seg.from)}`),
      ),
    );
  }
  return svg;
}
