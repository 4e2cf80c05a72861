/**
 * Public entry of `src/sim/`: start simulated AI providers with fault injection, and the config
 * schema the main config embeds.
 */
export {
  startSimServer,
  providerUrl,
  type SimServer,
  type SimServerOptions,
  type SimStats,
} from './server.ts';
export { demoSimProviders, DEMO_INCIDENT_PERIOD } from './demo.ts';
export {
  simConfigSchema,
  simProviderSchema,
  faultProfileSchema,
  scheduledFaultSchema,
  type SimConfig,
  type SimProviderConfig,
  type SimProviderKind,
  type FaultProfile,
  type ScheduledFault,
} from '../config/sim.ts';
export { seededRandom, type RandomSource } from './random.ts';
export { decideFault, effectiveProfile, type FaultDecision, type ResolvedProfile } from './faults.ts';
export { parseFaultProfile, type ProviderFaultsView, type ProviderStats } from './provider-state.ts';
