import { execFileSync } from 'node:child_process';
import { closeSync, mkdtempSync, openSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { createRecorder, NO_PROBE, parseProbeEvent, recorderFromEnv, type EndEvent, type ExitEvent, type ProbeEvent, type ProcMemory, type Recorder } from '@highwater/probe';

/** A process whose RSS the test sets; VmHWM follows it and resets like clear_refs. */
function fakeMemory(canReset = true): ProcMemory & { setRss(bytes: number): void } {
  let rss = 100;
  let hwm = 100;
  return {
    source: canReset ? 'vmhwm-phase' : 'vmhwm',
    readHwm: () => hwm,
    resetHwm: () => {
      if (canReset) hwm = rss;
      return canReset;
    },
    setRss(bytes: number) {
      rss = bytes;
      hwm = Math.max(hwm, rss);
    },
  };
}

function record(canReset = true) {
  const lines: string[] = [];
  const memory = fakeMemory(canReset);
  const rec = createRecorder({ write: (l) => lines.push(l) }, { memory, heapIntervalMs: 0, observeGc: false, onProcessExit: false });
  const events = (): ProbeEvent[] => lines.map((l) => parseProbeEvent(l)!);
  const ends = (): Record<string, EndEvent> => Object.fromEntries(events().filter((e): e is EndEvent => e.type === 'end').map((e) => [e.phase, e]));
  return { rec, memory, events, ends };
}

describe('createRecorder', () => {
  it('gives each phase its own peak, and a parent the peak of its nested phases', () => {
    const { rec, memory, ends, events } = record();
    rec.begin('open');
    memory.setRss(300);
    memory.setRss(150);
    rec.end('open');
    rec.begin('load-index');
    memory.setRss(500);
    memory.setRss(200);
    rec.begin('inner');
    memory.setRss(900);
    memory.setRss(210);
    rec.end('inner');
    memory.setRss(250);
    rec.end('load-index');
    rec.begin('save-index');
    memory.setRss(260);
    rec.end('save-index');
    rec.close(0);
    const e = ends();
    expect(e.open!.peakRssBytes).toBe(300);
    expect(e.inner!.peakRssBytes).toBe(900);
    expect(e['load-index']!.peakRssBytes).toBe(900);
    expect(e['save-index']!.peakRssBytes).toBe(260);
    expect(e.inner!.depth).toBe(1);
    expect(e.open!.peakRssSource).toBe('vmhwm-phase');
    const exit = events().find((x): x is ExitEvent => x.type === 'exit')!;
    expect(exit.peakRssBytes).toBe(900);
    expect(exit.peakRssSource).toBe('vmhwm');
    expect(events()[0]!.type).toBe('hello');
  });

  it('without clear_refs reports the whole-process peak so far, and says so', () => {
    const { rec, memory, ends } = record(false);
    rec.begin('a');
    memory.setRss(800);
    memory.setRss(100);
    rec.end('a');
    rec.begin('b');
    memory.setRss(200);
    rec.end('b');
    expect(ends().b!.peakRssBytes).toBe(800);
    expect(ends().b!.peakRssSource).toBe('vmhwm');
  });

  it('closes inner phases left open, and open phases at close', () => {
    const { rec, ends } = record();
    rec.begin('outer');
    rec.begin('inner');
    rec.end('outer');
    rec.begin('crashing');
    rec.close(1);
    expect(ends().inner!.unclosed).toBe(true);
    expect(ends().outer!.unclosed).toBeUndefined();
    expect(ends().crashing!.unclosed).toBe(true);
  });

  it('throws a TypeError for the end of a phase that is not open', () => {
    const { rec } = record();
    rec.begin('a');
    expect(() => rec.end('b')).toThrow(TypeError);
  });

  it('detaches when its sink fails, without breaking the caller', () => {
    const rec = createRecorder({ write: () => { throw new Error('EPIPE'); } }, { memory: fakeMemory(), heapIntervalMs: 0, observeGc: false, onProcessExit: false });
    expect(() => {
      rec.begin('a');
      rec.end('a');
      rec.close();
    }).not.toThrow();
  });

  it('records heap figures at both ends', () => {
    const { rec, ends } = record();
    rec.begin('alloc');
    const keep = Array.from({ length: 200_000 }, (_, i) => ({ i }));
    rec.end('alloc');
    expect(keep.length).toBe(200_000);
    const e = ends().alloc!;
    expect(e.heapEnd.usedHeapSize).toBeGreaterThan(e.heapStart.usedHeapSize);
    expect(e.heapUsedPeakBytes).toBeGreaterThanOrEqual(e.heapEnd.usedHeapSize);
    expect(e.heapStart.heapSizeLimit).toBeGreaterThan(0);
  });
});

describe('recorderFromEnv', () => {
  it('is NO_PROBE without HIGHWATER_PROBE_FD', () => {
    expect(recorderFromEnv({})).toBe(NO_PROBE);
    expect(recorderFromEnv({ HIGHWATER_PROBE_FD: '' })).toBe(NO_PROBE);
  });
  it('writes to the descriptor, and consumes the variable: a second call gets no recorder', () => {
    const file = join(mkdtempSync(join(tmpdir(), 'hw-probe-')), 'events');
    const fd = openSync(file, 'w');
    const env: NodeJS.ProcessEnv = { HIGHWATER_PROBE_FD: String(fd), HIGHWATER_PROBE_HEAP_MS: '0' };
    const rec = recorderFromEnv(env) as Recorder;
    expect(rec.active).toBe(true);
    expect(env.HIGHWATER_PROBE_FD).toBeUndefined();
    expect(recorderFromEnv(env)).toBe(NO_PROBE);
    rec.begin('open');
    rec.end('open');
    rec.close(0);
    closeSync(fd);
    const types = readFileSync(file, 'utf8').trim().split('\n').map((l) => parseProbeEvent(l)?.type);
    expect(types.filter((t) => t !== 'gc' && t !== 'heap')).toEqual(['hello', 'begin', 'end', 'exit']);
  });
  it('rejects a value that is not an open descriptor', () => {
    expect(() => recorderFromEnv({ HIGHWATER_PROBE_FD: 'three' })).toThrow(RangeError);
    expect(() => recorderFromEnv({ HIGHWATER_PROBE_FD: '987' })).toThrow(/open file descriptor/);
  });
});

/**
 * Runs in a child under --expose-gc, so that freeing the 64 MiB is deterministic (in the test
 * process the buffer would stay until some later GC, and RSS moves with vitest's own work).
 * Prints the readings as JSON; VmHWM and VmRSS after the reset come from one read of status.
 */
const HWM_CHILD = `
import { readFileSync } from 'node:fs';
import { openProcMemory } from '@highwater/probe';
const m = openProcMemory();
const source = m.source;
const resetFirst = m.resetHwm();
const before = m.readHwm();
let big = Buffer.alloc(64 * 1024 * 1024, 1);
const after = m.readHwm();
const len = big.length;
big = undefined;
globalThis.gc();
globalThis.gc();
const resetSecond = m.resetHwm();
const status = readFileSync('/proc/self/status', 'latin1');
const kib = (re) => Number(re.exec(status)[1]) * 1024;
console.log(JSON.stringify({ source, resetFirst, resetSecond, before, after, len, hwm: kib(/VmHWM:\\s+(\\d+)/), rss: kib(/VmRSS:\\s+(\\d+)/) }));
`;

describe.skipIf(process.platform !== 'linux')('openProcMemory on Linux (clear_refs writable, as in this sandbox and CI)', () => {
  it('reads VmHWM and resets it through clear_refs to the current RSS', () => {
    const out = execFileSync(process.execPath, ['--expose-gc', '--input-type=module', '-e', HWM_CHILD], { encoding: 'utf8' });
    const r = JSON.parse(out) as Record<string, number | boolean | string>;
    expect(r.source).toBe('vmhwm-phase');
    expect(r.resetFirst).toBe(true);
    expect(r.resetSecond).toBe(true);
    expect(r.len).toBe(64 * 1024 * 1024);
    expect((r.after as number) - (r.before as number)).toBeGreaterThan(60 * 1024 * 1024);
    // After the free and the reset, the peak is the current RSS (give or take what reading status
    // itself touched), not the 64 MiB high.
    expect((r.hwm as number) - (r.rss as number)).toBeGreaterThanOrEqual(0);
    expect((r.hwm as number) - (r.rss as number)).toBeLessThan(1024 * 1024);
    expect((r.after as number) - (r.hwm as number)).toBeGreaterThan(48 * 1024 * 1024);
  });
});
