/**
 * Writes a `SimReply` to the wire with the timing and damage a fault decision asks for: a slow
 * first token, delays between chunks, a stream that stalls (stays open, silent) or is cut off
 * (ends without its closing frames), and malformed JSON or SSE. Content faults apply only to
 * successful (2xx) replies. With no delays the whole reply goes out in one write.
 */
import type { ServerResponse } from 'node:http';
import type { SimReply } from './protocol.ts';
import type { TimerSet } from './timers.ts';

/** How to write one reply. */
export interface WritePlan {
  ttftMs: number;
  interChunkMs: number;
  stallAfter?: number;
  truncateAfter?: number;
  malformed: boolean;
}

/** A healthy plan: no delays, no damage. */
export const CLEAN_PLAN: WritePlan = { ttftMs: 0, interChunkMs: 0, malformed: false };

/** Cuts the JSON of a frame's `data:` line in half, leaving invalid JSON in a valid SSE frame. */
export function corruptFrame(frame: string): string {
  return frame.replace(
    /^data: (.*)$/m,
    (_m, json: string) => `data: ${json.slice(0, Math.ceil(json.length / 2))}`,
  );
}

function isOpen(res: ServerResponse): boolean {
  return !res.destroyed && !res.writableEnded;
}

function writeJson(
  res: ServerResponse,
  reply: Extract<SimReply, { type: 'json' }>,
  plan: WritePlan,
  timers: TimerSet,
): void {
  const full = JSON.stringify(reply.body);
  const damageable = reply.status >= 200 && reply.status < 300;
  const text = damageable && plan.malformed ? full.slice(0, Math.ceil(full.length / 2)) : full;
  const send = (): void => {
    if (!isOpen(res)) return;
    const headers = {
      'content-type': 'application/json',
      'content-length': Buffer.byteLength(text),
      ...reply.headers,
    };
    if (damageable && plan.stallAfter !== undefined) {
      res.writeHead(reply.status, headers);
      res.flushHeaders();
      return;
    }
    if (damageable && plan.truncateAfter !== undefined) {
      res.writeHead(reply.status, headers);
      res.write(text.slice(0, Math.ceil(text.length / 2)), () => res.destroy());
      return;
    }
    res.writeHead(reply.status, headers);
    res.end(text);
  };
  const cancel = timers.after(reply.status < 300 ? plan.ttftMs : 0, send);
  res.once('close', cancel);
}

function writeSse(
  res: ServerResponse,
  reply: Extract<SimReply, { type: 'sse' }>,
  plan: WritePlan,
  timers: TimerSet,
): void {
  const frames = reply.frames.slice();
  const contentEnd = frames.length - reply.tail;
  if (plan.malformed && frames.length > 0) {
    const at = Math.min(reply.head, frames.length - 1);
    frames[at] = corruptFrame(frames[at]!);
  }
  // Where writing stops, and whether the response then ends (truncate) or stays open (stall).
  let stopAt = frames.length;
  let endAtStop = true;
  if (plan.stallAfter !== undefined) {
    stopAt = Math.min(reply.head + plan.stallAfter, contentEnd);
    endAtStop = false;
  } else if (plan.truncateAfter !== undefined) {
    stopAt = Math.min(reply.head + plan.truncateAfter, contentEnd);
  }
  res.writeHead(200, { 'content-type': 'text/event-stream; charset=utf-8', 'cache-control': 'no-cache' });
  const finish = (): void => {
    if (endAtStop) res.end();
  };
  if (plan.ttftMs <= 0 && plan.interChunkMs <= 0) {
    const text = frames.slice(0, stopAt).join('');
    if (text) res.write(text);
    else res.flushHeaders();
    finish();
    return;
  }
  const headFrames = frames.slice(0, Math.min(reply.head, stopAt)).join('');
  if (headFrames) res.write(headFrames);
  else res.flushHeaders();
  let next = Math.min(reply.head, stopAt);
  let cancel: () => void = () => {};
  res.once('close', () => cancel());
  const step = (): void => {
    if (!isOpen(res)) return;
    if (next >= stopAt) return finish();
    // After the last content chunk the closing frames go out together.
    const upTo = next >= contentEnd - 1 ? stopAt : next + 1;
    res.write(frames.slice(next, upTo).join(''));
    next = upTo;
    if (next >= stopAt) return finish();
    cancel = timers.after(plan.interChunkMs, step);
  };
  cancel = timers.after(plan.ttftMs, step);
}

/** Writes `reply` to `res` following `plan`. */
export function writeReply(res: ServerResponse, reply: SimReply, plan: WritePlan, timers: TimerSet): void {
  if (reply.type === 'json') writeJson(res, reply, plan, timers);
  else writeSse(res, reply, plan, timers);
}
