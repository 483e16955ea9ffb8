export { NO_PROBE, inPhase } from './probe.js';
export type { Probe, PhaseName } from './probe.js';
export { createRecorder } from './recorder.js';
export type { Recorder, RecorderSink, RecorderOptions } from './recorder.js';
export { recorderFromEnv, fdSink } from './recorder-from-env.js';
export { openProcMemory } from './proc-memory.js';
export type { ProcMemory, ProcMemoryOptions } from './proc-memory.js';
export { PROBE_FD_ENV, PROBE_HEAP_INTERVAL_ENV, PROBE_PROTOCOL_VERSION, parseProbeEvent } from './probe-events.js';
export type { ProbeEvent, HelloEvent, BeginEvent, EndEvent, HeapEvent, GcEvent, ExitEvent, ProbeHeap, ProbePeakSource } from './probe-events.js';
