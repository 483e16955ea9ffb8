export { NO_PROBE, inPhase } from './probe.js';
export type { Probe, PhaseName } from './probe.js';
