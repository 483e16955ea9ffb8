/**
 * The terminal status line (issue 11, item 10): throttled to restic's rate (at most 60 drawings a
 * second, RESTIC_PROGRESS_FPS lower), restic's counter text with percentage and elapsed time,
 * nothing when stderr is not a terminal or with --json. Fake clock (vitest timers), fake terminal.
 */
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { mkdtemp, rm, writeFile, mkdir } from 'node:fs/promises';
import { PassThrough } from 'node:stream';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Io } from './io.js';
import { counterText, progressIntervalMs, progressLine } from './progress.js';
import { run } from './run.js';

function fakeTerminal(o: { tty?: boolean; env?: NodeJS.ProcessEnv } = {}): { io: Io; err: () => string; out: () => string } {
  const stdout = new PassThrough();
  const stderr = Object.assign(new PassThrough(), { isTTY: o.tty ?? true, columns: 100 });
  let out = '';
  let err = '';
  stdout.on('data', (d: Buffer) => (out += d.toString()));
  stderr.on('data', (d: Buffer) => (err += d.toString()));
  return { io: { stdout, stderr, stdin: new PassThrough(), env: o.env ?? {}, cwd: process.cwd() }, err: () => err, out: () => out };
}

/** The texts drawn, one per rewrite of the line. */
const drawings = (text: string): string[] => text.split('\r\x1b[2K').slice(1).filter((t) => t !== '');

/** check --read-data's events for `packs` packs read `msPerPack` apart on the fake clock. */
function readPacks(line: ReturnType<typeof progressLine>, packs: number, msPerPack: number): void {
  for (let i = 0; i < packs; i++) {
    line.count('packs', i, packs);
    vi.advanceTimersByTime(msPerPack);
  }
  line.count('packs', packs, packs);
}

describe('progressLine', () => {
  beforeEach(() => vi.useFakeTimers({ now: 0 }));
  afterEach(() => vi.useRealTimers());

  it('1,000 packs in 5 s: at most 60 drawings a second (restic\'s rate), not one per pack', async () => {
    const t = fakeTerminal();
    readPacks(progressLine(t.io), 1000, 5);
    const n = drawings(t.err()).length;
    expect(n).toBeLessThanOrEqual(5 * 60 + 2);
    expect(n).toBeGreaterThan(100);
  });

  it('update() itself is throttled, for every command that draws a status line', () => {
    const t = fakeTerminal();
    const line = progressLine(t.io);
    for (let i = 0; i < 1000; i++) {
      line.update(`pack ${i}`);
      vi.advanceTimersByTime(5);
    }
    expect(drawings(t.err()).length).toBeLessThanOrEqual(5 * 60 + 1);
  });

  it('shows the percentage and the elapsed time, and leaves the final count on its own line once', () => {
    const t = fakeTerminal();
    const line = progressLine(t.io);
    for (let i = 0; i <= 80; i++) {
      line.count('packs', i, 200);
      vi.advanceTimersByTime(1000);
    }
    expect(drawings(t.err()).at(-1)).toBe('[1:20] 40.00%  80 / 200 packs');
    line.count('packs', 200, 200);
    line.count('packs', 200, 200);
    expect(t.err().endsWith('\r\x1b[2K[1:21] 100.00%  200 / 200 packs\n')).toBe(true);
    expect(t.err().split('100.00%')).toHaveLength(2);
    line.clear();
    expect(t.err().endsWith('packs\n')).toBe(true);
  });

  it('draws the latest text when its turn comes (nothing is lost by throttling)', () => {
    const t = fakeTerminal();
    const line = progressLine(t.io);
    line.update('a');
    line.update('b');
    line.update('c');
    expect(drawings(t.err())).toEqual(['a']);
    vi.advanceTimersByTime(Math.ceil(progressIntervalMs({})));
    expect(drawings(t.err())).toEqual(['a', 'c']);
    line.update('d');
    line.clear();
    vi.advanceTimersByTime(1000);
    expect(drawings(t.err())).toEqual(['a', 'c']);
  });

  it('RESTIC_PROGRESS_FPS sets a slower rate; above 60 it stays 60', () => {
    expect(progressIntervalMs({ RESTIC_PROGRESS_FPS: '2' })).toBe(500);
    expect(progressIntervalMs({ RESTIC_PROGRESS_FPS: '500' })).toBeCloseTo(1000 / 60);
    expect(progressIntervalMs({ RESTIC_PROGRESS_FPS: 'x' })).toBeCloseTo(1000 / 60);
    const t = fakeTerminal({ env: { RESTIC_PROGRESS_FPS: '2' } });
    readPacks(progressLine(t.io), 1000, 5);
    expect(drawings(t.err()).length).toBeLessThanOrEqual(5 * 2 + 2);
  });

  it('writes nothing when stderr is not a terminal, or with quiet', () => {
    const piped = fakeTerminal({ tty: false });
    readPacks(progressLine(piped.io), 100, 5);
    expect(piped.err()).toBe('');
    const quiet = fakeTerminal();
    readPacks(progressLine(quiet.io, { quiet: true }), 100, 5);
    expect(quiet.err()).toBe('');
  });

  it('counterText is restic\'s counter line', () => {
    expect(counterText({ seconds: 12.7, done: 452, total: 1000, description: 'packs' })).toBe('[0:12] 45.20%  452 / 1000 packs');
    expect(counterText({ seconds: 3725, done: 7, total: 0, description: 'packs' })).toBe('[1:02:05]          7 packs');
  });
});

describe('check --read-data on a terminal', () => {
  it('ends each counted step with restic\'s final count on stderr; stdout, and everything with --json, stay clean', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'hw-progress-'));
    try {
      const env = { RESTIC_PASSWORD: 'progress', XDG_CACHE_HOME: join(dir, 'cache') };
      await mkdir(join(dir, 'src'));
      for (let i = 0; i < 3; i++) await writeFile(join(dir, 'src', `f${i}`), `file ${i}\n`);
      const repo = join(dir, 'repo');
      expect(await run(['init', '-r', repo, '-q'], fakeTerminal({ env }).io)).toBe(0);
      expect(await run(['backup', '-r', repo, '-q', join(dir, 'src')], fakeTerminal({ env }).io)).toBe(0);
      const t = fakeTerminal({ env });
      expect(await run(['check', '-r', repo, '--read-data'], t.io), t.err()).toBe(0);
      expect(t.err()).toMatch(/\r\x1b\[2K\[0:\d\d\] 100\.00%  1 \/ 1 snapshots\n/);
      expect(t.err()).toMatch(/\r\x1b\[2K\[0:\d\d\] 100\.00%  \d+ \/ \d+ packs\n/);
      expect(t.out()).not.toContain('\x1b');
      const j = fakeTerminal({ env });
      expect(await run(['check', '-r', repo, '--read-data', '--json'], j.io), j.err()).toBe(0);
      expect(j.err()).toBe('');
      expect(j.out()).not.toContain('\x1b');
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});
