/**
 * The runtime control endpoint under `/_sim/`, for game days and tests driving the sim over
 * HTTP: read and change a provider's faults, reset them, read request counters.
 *
 *   GET  /_sim/providers                    → names, kinds, base URLs
 *   GET  /_sim/providers/:name/faults       → ProviderFaultsView
 *   PUT  /_sim/providers/:name/faults       → replace the base profile (JSON body), returns the view
 *   POST /_sim/providers/:name/faults/reset → clear the base profile, returns the view
 *   GET  /_sim/stats                        → SimStats
 */
import { HTTP_STATUS_BY_CODE, NinesError, toNinesError } from '../core/errors.ts';
import type { ProviderFaultsView } from './provider-state.ts';
import type { SimStats } from './server.ts';

/** What the control endpoint needs from the server. */
export interface SimControl {
  providerNames(): string[];
  describe(name: string): { name: string; kind: string; baseUrl: string };
  getFaults(name: string): ProviderFaultsView;
  setFaults(name: string, faults: unknown): void;
  resetFaults(name: string): void;
  stats(): SimStats;
}

/** A control response: status and JSON body. */
export interface ControlResponse {
  status: number;
  body: unknown;
}

/** Handles one `/_sim/...` request; errors become `{error:{code,message}}` with the mapped status. */
export function handleControl(
  control: SimControl,
  method: string,
  path: string,
  body: unknown,
): ControlResponse {
  try {
    if (path === '/_sim/stats' && method === 'GET') return { status: 200, body: control.stats() };
    if (path === '/_sim/providers' && method === 'GET') {
      return { status: 200, body: { providers: control.providerNames().map((n) => control.describe(n)) } };
    }
    const m = /^\/_sim\/providers\/([^/]+)\/faults(\/reset)?$/.exec(path);
    if (!m) throw new NinesError('NOT_FOUND', `no control route ${method} ${path}`);
    const name = decodeURIComponent(m[1]!);
    if (m[2]) {
      if (method !== 'POST') throw new NinesError('VALIDATION', `use POST on ${path}`);
      control.resetFaults(name);
    } else if (method === 'PUT') {
      control.setFaults(name, body);
    } else if (method !== 'GET') {
      throw new NinesError('VALIDATION', `use GET or PUT on ${path}`);
    }
    return { status: 200, body: control.getFaults(name) };
  } catch (err) {
    const e = toNinesError(err);
    return { status: HTTP_STATUS_BY_CODE[e.code], body: { error: { code: e.code, message: e.message } } };
  }
}
