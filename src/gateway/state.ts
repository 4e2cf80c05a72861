/**
 * Everything a request handler needs from the running gateway, in one object built by
 * `createGateway`: config, routes, keys, metrics, recorder, clock and randomness.
 */
import type { GatewayConfig } from '../config/gateway.ts';
import type { Clock } from '../core/clock.ts';
import type { Deadlines } from './deadlines.ts';
import type { FailoverEnv } from './failover.ts';
import type { KeyRuntime } from './keys.ts';
import type { GatewayMetrics } from './metrics.ts';
import type { Recorder } from './recorder.ts';
import type { RouteRuntime } from './route.ts';

/** The running gateway's shared state. */
export interface GatewayState {
  config: GatewayConfig;
  routes: Map<string, RouteRuntime>;
  keys: Map<string, KeyRuntime>;
  metrics: GatewayMetrics;
  recorder: Recorder;
  clock: Clock;
  env: FailoverEnv;
  /** Request and attempt deadlines (one timer per deadline length, not per request). */
  deadlines: Deadlines;
  adminToken: string | undefined;
  /** Proxied requests started and not yet recorded (close waits for them). */
  active: number;
  nextId(): string;
}
