/**
 * Where request records go. The gateway defines this small interface (DESIGN rule 2); main.ts
 * wires it to the store. `BufferedRecorder` batches records off the hot path.
 */
import type { RequestRecord } from '../store/types.ts';
import type { Clock } from '../core/clock.ts';

/** Receives one record per request. Must not block: buffer and write later. */
export interface Recorder {
  record(r: RequestRecord): void;
}

/** A recorder that drops everything (the default). */
export const nullRecorder: Recorder = { record: () => {} };

/**
 * Buffers records and hands them to `flush` in batches (every `intervalMs`, or at `maxBatch`).
 * A failed flush keeps the batch for the next one (bounded by `maxBuffered`, oldest dropped).
 */
export class BufferedRecorder implements Recorder {
  private buffer: RequestRecord[] = [];
  private timer: { cancel(): void } | undefined;
  private flushing: Promise<void> | undefined;
  /** Records dropped because the buffer was full. */
  dropped = 0;

  constructor(
    private readonly flushFn: (batch: RequestRecord[]) => Promise<void>,
    private readonly clock: Clock,
    private readonly options: { intervalMs?: number; maxBatch?: number; maxBuffered?: number } = {},
  ) {}

  record(r: RequestRecord): void {
    this.buffer.push(r);
    const max = this.options.maxBuffered ?? 100_000;
    if (this.buffer.length > max) {
      this.dropped += this.buffer.length - max;
      this.buffer.splice(0, this.buffer.length - max);
    }
    if (this.buffer.length >= (this.options.maxBatch ?? 500)) void this.flush();
    else this.timer ??= this.clock.setTimer(this.options.intervalMs ?? 1000, () => void this.flush());
  }

  /** Writes what is buffered now. */
  async flush(): Promise<void> {
    this.timer?.cancel();
    this.timer = undefined;
    if (this.flushing) await this.flushing;
    if (this.buffer.length === 0) return;
    const batch = this.buffer;
    this.buffer = [];
    this.flushing = this.flushFn(batch).catch(() => {
      this.buffer = batch.concat(this.buffer);
    });
    await this.flushing;
    this.flushing = undefined;
  }
}
