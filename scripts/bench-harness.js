#!/usr/bin/env node
// Overhead benchmark of the probe and the harness (not a test: timing lives here).
//   node scripts/bench-harness.js [--runs N] [--child-cpu-ms MS] [--interval MS]
// Needs the build (npm run build, or npx tsc -b packages/harness).
// 1. A phase marker with no recorder attached (NO_PROBE.begin + end): ns per marker; target < 1 µs.
// 2. A marker with a recorder attached (the cost a measured run pays per phase): µs per marker.
// 3. The sampler: a child busy on the CPU for --child-cpu-ms under runChild with the default
//    50 ms interval; the harness's own CPU time while supervising it over the child's CPU time;
//    target < 2%. Runs N times; prints every run and the median.
import { cpus, loadavg } from 'node:os';
import { fileURLToPath } from 'node:url';
import { NO_PROBE, createRecorder, inPhase } from '@highwater/probe';
import { runChild } from '@highwater/harness';

const arg = (name, dflt) => {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 ? Number(process.argv[i + 1]) : dflt;
};
const runs = arg('runs', 5);
const childCpuMs = arg('child-cpu-ms', 4000);
const interval = arg('interval', 50);
const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
const phased = fileURLToPath(new URL('../packages/harness/test-children/phased.mjs', import.meta.url));

/** The same through a call site that sees four probe shapes, so V8 cannot inline the empty methods. */
function markerNoRecorderMegamorphic() {
  const n = 20_000_000;
  const probes = [NO_PROBE, { active: false, begin() {}, end() {} }, { begin() {}, active: false, end() {} }, { end() {}, begin() {}, active: false }];
  const call = (p) => {
    p.begin('scan');
    p.end('scan');
  };
  for (let i = 0; i < 1_000_000; i++) call(probes[i & 3]);
  const t0 = process.hrtime.bigint();
  for (let i = 0; i < n; i++) call(probes[i & 3]);
  return Number(process.hrtime.bigint() - t0) / (2 * n);
}

function markerNoRecorder() {
  const n = 20_000_000;
  const probe = NO_PROBE; // what the engine holds when the harness attached nothing
  for (let i = 0; i < 1_000_000; i++) { probe.begin('scan'); probe.end('scan'); }
  const t0 = process.hrtime.bigint();
  for (let i = 0; i < n; i++) {
    probe.begin('scan');
    probe.end('scan');
  }
  const ns = Number(process.hrtime.bigint() - t0);
  return ns / (2 * n);
}

async function inPhaseNoRecorder() {
  const n = 1_000_000;
  const work = async () => 1;
  const t0 = process.hrtime.bigint();
  for (let i = 0; i < n; i++) await inPhase(NO_PROBE, 'scan', work);
  const base0 = process.hrtime.bigint();
  for (let i = 0; i < n; i++) await work();
  const base = Number(process.hrtime.bigint() - base0);
  return (Number(base0 - t0) - base) / n;
}

function markerWithRecorder() {
  const n = 20_000;
  let bytes = 0;
  const rec = createRecorder({ write: (l) => { bytes += l.length; } }, { heapIntervalMs: 0, observeGc: false, onProcessExit: false });
  const t0 = process.hrtime.bigint();
  for (let i = 0; i < n; i++) {
    rec.begin('scan');
    rec.end('scan');
  }
  const ns = Number(process.hrtime.bigint() - t0);
  rec.close();
  return { usPerMarker: ns / (2 * n) / 1000, bytesPerPhase: bytes / n };
}

async function supervise(sampleIntervalMs, sampler) {
  const t0 = Date.now();
  const run = await runChild({
    sampler,
    command: process.execPath,
    args: [phased, JSON.stringify([{ phase: 'busy', cpuMs: childCpuMs }])],
    probe: true,
    sampleIntervalMs,
  });
  const exit = run.events.find((e) => e.type === 'exit');
  return { samples: run.samples.length, harnessCpuMs: run.harnessCpuMs, childCpuMs: exit?.cpuMs ?? run.sampledCpuMs, wallMs: Date.now() - t0 };
}

/**
 * Each run supervises the same busy child twice: sampling every `interval` ms, and with one sample
 * only (the interval longer than the run). The harness's CPU includes spawning and reading the
 * recorder's lines in both; the difference is what sampling costs.
 */
async function sampler(name) {
  await supervise(interval, name); // warm-up: JIT of the harness's own code
  const rows = [];
  for (let i = 0; i < runs; i++) {
    const s = await supervise(interval, name);
    const u = await supervise(3_600_000, name);
    rows.push({ ...s, unsampledCpuMs: u.harnessCpuMs, pctOfCore: (100 * (s.harnessCpuMs - u.harnessCpuMs)) / s.wallMs, pctTotal: (100 * s.harnessCpuMs) / s.childCpuMs, pctSampler: (100 * (s.harnessCpuMs - u.harnessCpuMs)) / s.childCpuMs });
  }
  return rows;
}

const m = markerNoRecorder();
console.log(`marker, no recorder: ${m.toFixed(2)} ns per begin/end call (target < 1000 ns)`);
console.log(`marker, no recorder, megamorphic call site (not inlined): ${markerNoRecorderMegamorphic().toFixed(2)} ns per call`);
console.log(`inPhase(NO_PROBE) around an async function: ${(await inPhaseNoRecorder()).toFixed(0)} ns of overhead per phase`);
const r = markerWithRecorder();
console.log(`marker, recorder attached: ${r.usPerMarker.toFixed(1)} µs per begin/end call (VmHWM read + clear_refs + heap statistics + one line), ${r.bytesPerPhase.toFixed(0)} bytes per phase`);
for (const name of ['proc', 'pidusage']) {
  const rows = await sampler(name);
  console.log(`-- sampler ${name}`);
  for (const [i, x] of rows.entries()) {
    console.log(`run ${i + 1}: ${x.samples} samples at ${interval} ms; harness CPU ${x.harnessCpuMs.toFixed(0)} ms sampling, ${x.unsampledCpuMs.toFixed(0)} ms not sampling; child CPU ${x.childCpuMs.toFixed(0)} ms: sampler ${x.pctSampler.toFixed(2)}%, whole supervision ${x.pctTotal.toFixed(2)}%`);
  }
  const perSample = median(rows.map((x) => (x.harnessCpuMs - x.unsampledCpuMs) / Math.max(1, x.samples - 1)));
  console.log(`${name}: CPU per sample, median: ${(perSample * 1000).toFixed(0)} µs = ${((perSample * 1000) / interval / 10).toFixed(2)}% of one core at ${interval} ms`);
  console.log(`${name}: sampler CPU per wall time, median: ${median(rows.map((x) => x.pctOfCore)).toFixed(2)}% of one core = the overhead for a child that has a whole core (target < 2%)`);
  console.log(`${name}: sampler overhead, median of ${runs}: ${median(rows.map((x) => x.pctSampler)).toFixed(2)}% of the child's CPU time (target < 2%); whole supervision (spawn, recorder lines, sampling): ${median(rows.map((x) => x.pctTotal)).toFixed(2)}%`);
  console.log(`load average after: ${loadavg().map((x) => x.toFixed(2)).join(' ')} on ${cpus().length} CPUs (a child that gets less than a core makes the ratio larger)`);
}
