/**
 * Helpers for the crash tests: run the built `highwater` CLI as a child process, SIGKILL it after a
 * delay, and know which phase it was in (from its probe stream on descriptor 3).
 */
import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { readdir, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { expect } from 'vitest';
import { check, restore, unlock } from '@highwater/engine';
import { PASSWORD } from '../engine.test-util.js';
import { resticOk } from '../interop/interop.test-util.js';
import { openWith, treeDigest } from '../prune/prune.test-util.js';

export const CLI = fileURLToPath(new URL('../../../cli/bin/highwater.js', import.meta.url));
export const CLI_BUILT = existsSync(fileURLToPath(new URL('../../../cli/dist/index.js', import.meta.url)));

export interface ChildRun {
  /** Exit code, or null when killed. */
  readonly code: number | null;
  readonly signal: NodeJS.Signals | null;
  readonly stdout: string;
  readonly stderr: string;
  /** The phase that had begun and not ended when the process stopped ('' for none). */
  readonly phase: string;
  readonly ms: number;
  /** Milliseconds from the first phase's begin (work after start-up) to the exit; -1 when no phase began. */
  readonly workMs: number;
}

/**
 * Runs `highwater ...args`. With killAfterMs, sends SIGKILL that many milliseconds after the child
 * began its first phase (`open`; start-up is not part of the spread), or the phase `killInPhase`.
 */
export function runHighwater(
  args: string[],
  o: { killAfterMs?: number; /** Count killAfterMs from the begin of this phase instead. */ killInPhase?: string; env?: NodeJS.ProcessEnv } = {},
): Promise<ChildRun> {
  return new Promise((resolve, reject) => {
    const started = Date.now();
    const env: NodeJS.ProcessEnv = { ...process.env, RESTIC_PASSWORD: PASSWORD, HIGHWATER_PROBE_FD: '3', ...o.env };
    for (const k of ['RESTIC_PASSWORD_FILE', 'RESTIC_PASSWORD_COMMAND', 'RESTIC_REPOSITORY']) delete env[k];
    const child = spawn(process.execPath, [CLI, ...args], { stdio: ['ignore', 'pipe', 'pipe', 'pipe'], env });
    let stdout = '';
    let stderr = '';
    let probe = '';
    const open: string[] = [];
    let firstBegin = -1;
    let timer: NodeJS.Timeout | undefined;
    child.stdout!.on('data', (d: Buffer) => (stdout += d.toString()));
    child.stderr!.on('data', (d: Buffer) => (stderr += d.toString()));
    (child.stdio[3] as NodeJS.ReadableStream).on('data', (d: Buffer) => {
      probe += d.toString();
      let nl: number;
      while ((nl = probe.indexOf('\n')) >= 0) {
        const line = probe.slice(0, nl);
        probe = probe.slice(nl + 1);
        try {
          const e = JSON.parse(line) as { type?: string; phase?: string };
          if (e.type === 'begin' && e.phase) {
            open.push(e.phase);
            const first = firstBegin < 0;
            if (first) firstBegin = Date.now();
            if (o.killAfterMs !== undefined && timer === undefined && (o.killInPhase === undefined ? first : e.phase === o.killInPhase)) {
              timer = setTimeout(() => child.kill('SIGKILL'), o.killAfterMs);
            }
          }
          if (e.type === 'end' && e.phase) open.splice(open.lastIndexOf(e.phase), 1);
        } catch {
          // not a probe line
        }
      }
    });
    child.on('error', reject);
    child.on('close', (code, signal) => {
      if (timer) clearTimeout(timer);
      const now = Date.now();
      resolve({ code, signal, stdout, stderr, phase: open[open.length - 1] ?? '', ms: now - started, workMs: firstBegin < 0 ? -1 : now - firstBegin });
    });
  });
}

export async function highwaterOk(args: string[]): Promise<string> {
  const r = await runHighwater(args);
  if (r.code !== 0) throw new Error(`highwater ${args.join(' ')} failed with ${r.code ?? r.signal}: ${r.stderr}`);
  return r.stdout;
}

export { seeded } from '../../../../scripts/test-random.js';

/** `n` kill delays spread over [0, durationMs): one random point in each of n equal slices. */
export function spreadDelays(n: number, durationMs: number, random: () => number): number[] {
  return Array.from({ length: n }, (_, i) => Math.floor(((i + random()) / n) * durationMs));
}

/**
 * What every kill must leave behind (backup and prune alike): after unlock no lock file, highwater's
 * and restic's `check --read-data` clean, and each of `snapshots` restoring `src` to its recorded
 * digest. `round` and `delay` name the kill in failure messages; restores go below `scratch`.
 */
export async function expectIntactAfterKill(o: {
  repo: string;
  scratch: string;
  src: string;
  snapshots: readonly string[];
  digests: ReadonlyMap<string, Record<string, string>>;
  round: number;
  delay: number;
}): Promise<void> {
  const { repo, round, delay } = o;
  await unlock({ repo: await openWith(repo, 'packed') });
  // No lock is left (a temporary file of a lock being written when the kill came is not a lock).
  expect((await readdir(join(repo, 'locks'))).filter((n) => /^[0-9a-f]{64}$/.test(n))).toEqual([]);
  const c = await check({ repo: await openWith(repo, 'packed'), readData: true });
  expect(c.problems, `check after kill ${round} at ${delay} ms`).toEqual([]);
  await resticOk(repo, ['check', '--read-data']);
  for (const id of o.snapshots) {
    const out = join(o.scratch, `out-${round}-${id.slice(0, 8)}`);
    const rr = await restore({ repo: await openWith(repo, 'packed'), snapshot: id, target: out });
    expect(rr.problems).toEqual([]);
    expect(await treeDigest(join(out, o.src)), `snapshot ${id.slice(0, 8)} after kill ${round} at ${delay} ms`).toEqual(o.digests.get(id));
    await rm(out, { recursive: true });
  }
}
