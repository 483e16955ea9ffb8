import { describe, expect, it } from 'vitest';
import { PassThrough } from 'node:stream';
import { PROBE_FD_ENV, PROBE_HEAP_INTERVAL_ENV } from '@highwater/probe';
import { measuredEnv, onLines, spawnMeasured } from './child-spawn.js';

describe('spawning a measured child', () => {
  it('gives the recorder its descriptor with probe, and takes an inherited one away without', () => {
    const withProbe = measuredEnv({ A: '1' }, true, 49.6);
    expect(withProbe).toMatchObject({ A: '1', [PROBE_FD_ENV]: '3', [PROBE_HEAP_INTERVAL_ENV]: '50' });
    expect(measuredEnv({ [PROBE_FD_ENV]: '3' }, false, 50)[PROBE_FD_ENV]).toBeUndefined();
  });

  it('runs the child in its own process group: killGroup ends what it started too', async () => {
    // sh starts a sleep and waits for it: killing only sh would leave the sleep holding stderr open
    const m = spawnMeasured({ command: 'sh', args: ['-c', 'sleep 30 & wait'], readStdout: false, sampleIntervalMs: 50 });
    await new Promise((res) => m.child.once('spawn', res));
    const started = Date.now();
    m.killGroup();
    const [code, sig] = await new Promise<[number | null, string | null]>((res) => m.child.once('close', (c, s) => res([c, s])));
    expect(sig).toBe('SIGKILL');
    expect(code).toBeNull();
    expect(Date.now() - started).toBeLessThan(5000);
  });

  it('pipes the recorder on fd 3 with probe', async () => {
    const m = spawnMeasured({ command: process.execPath, args: ['-e', "require('fs').writeSync(3, 'hello\\n')"], probe: true, readStdout: false, sampleIntervalMs: 50 });
    let got = '';
    m.probeStream!.setEncoding('utf8');
    m.probeStream!.on('data', (d: string) => (got += d));
    await new Promise((res) => m.child.once('close', res));
    expect(got).toBe('hello\n');
  });

  it('reads lines, the last one without a newline too, and drops an over-long unfinished one', async () => {
    const s = new PassThrough();
    const lines: string[] = [];
    onLines(s, (l) => lines.push(l));
    s.write('a\nb');
    s.write('c\n' + 'x'.repeat(5000));
    s.write('\nd');
    s.end();
    await new Promise((res) => s.once('end', res));
    expect(lines).toEqual(['a', 'bc', '', 'd']);
  });
});
