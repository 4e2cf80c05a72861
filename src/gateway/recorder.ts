/**
 * Where request records go. The gateway defines this small interface (DESIGN rule 2); main.ts
 * wires it to the store's `BufferedWriter`, which batches records off the hot path.
 */
import type { RequestRecord } from '../store/types.ts';

/** Receives one record per request. Must not block: buffer and write later. */
export interface Recorder {
  record(r: RequestRecord): void;
}

/** A recorder that drops everything (the default). */
export const nullRecorder: Recorder = { record: () => {} };
