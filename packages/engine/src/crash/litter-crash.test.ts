/**
 * A SIGKILLed backup leaves no litter that stays: the pack spool files in the temporary folder are
 * nameless (nothing to leave), and the `*-tmp-*` files an atomic write was in the middle of are
 * removed by the next prune once they are old enough (it holds the exclusive lock).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { spawn } from 'node:child_process';
import { readdirSync, readlinkSync } from 'node:fs';
import { mkdir, readdir, utimes, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { STALE_TEMP_AGE_MS } from '@highwater/backend';
import { requirePeer } from '../../../../scripts/peers.js';
import { newRepo, PASSWORD, pseudoRandom, tempDir } from '../engine.test-util.js';
import { resticOk } from '../interop/interop.test-util.js';
import { CLI, CLI_BUILT, runHighwater } from './crash.test-util.js';

const hasRestic = requirePeer('restic');
/** Kill moments after the first spool file was created (a pack is being spooled, then uploaded). */
const DELAYS_MS = [0, 100, 400];

/**
 * Runs `highwater backup` with TMPDIR=`spool` and SIGKILLs it `delay` ms after it holds a pack spool
 * file there (seen in /proc/PID/fd, polled every 2 ms: the spool file has no name, O_TMPFILE on
 * Linux, so no directory watch can see it). Resolves with the signal or the exit code.
 */
function backupKilledWhileSpooling(args: string[], spool: string, delay: number): Promise<string> {
  return new Promise((resolve, reject) => {
    const env: NodeJS.ProcessEnv = { ...process.env, RESTIC_PASSWORD: PASSWORD, TMPDIR: spool };
    for (const k of ['RESTIC_PASSWORD_FILE', 'RESTIC_PASSWORD_COMMAND', 'RESTIC_REPOSITORY']) delete env[k];
    const child = spawn(process.execPath, [CLI, ...args], { stdio: ['ignore', 'ignore', 'pipe'], env });
    let stderr = '';
    child.stderr!.on('data', (d: Buffer) => (stderr += d.toString()));
    const holdsSpool = (): boolean => {
      let fds: string[];
      try {
        fds = readdirSync(`/proc/${child.pid}/fd`);
      } catch {
        return false;
      }
      return fds.some((fd) => {
        try {
          return readlinkSync(`/proc/${child.pid}/fd/${fd}`).startsWith(`${spool}/`);
        } catch {
          return false;
        }
      });
    };
    const poll = setInterval(() => {
      if (!holdsSpool()) return;
      clearInterval(poll);
      setTimeout(() => child.kill('SIGKILL'), delay);
    }, 2);
    child.on('error', reject);
    child.on('close', (code, signal) => {
      clearInterval(poll);
      resolve(signal ?? `exit ${code}${code === 0 ? '' : `: ${stderr}`}`);
    });
  });
}

async function tempFiles(repo: string): Promise<string[]> {
  return (await readdir(repo, { recursive: true })).filter((n) => n.includes('-tmp-'));
}

describe.skipIf(!hasRestic)('a SIGKILLed backup leaves no litter behind for good', () => {
  const tmp = tempDir('hw-litter-');
  const repo = join(tmp.path, 'repo');
  const src = join(tmp.path, 'src');
  const spool = join(tmp.path, 'tmpdir');

  beforeAll(async () => {
    if (!CLI_BUILT) throw new Error('the crash tests run the built CLI: run `npx tsc -b packages/cli` first');
    await newRepo(repo, 2);
    await mkdir(src);
    await mkdir(spool);
  }, 60_000);
  afterAll(() => tmp.cleanup());

  it(`is killed ${DELAYS_MS.length} times while spooling packs; no spool file is left, prune removes the stale temporary files`, async () => {
    const landed: string[] = [];
    for (const [i, delay] of DELAYS_MS.entries()) {
      // New incompressible data each round, so every run has packs to spool and upload.
      for (let f = 0; f < 4; f++) await writeFile(join(src, `r${i}-${f}.bin`), pseudoRandom(6 << 20, 100 * i + f + 1));
      // --no-chunk-workers: with chunk workers data packs stay in memory (only tree packs spool).
      const r = await backupKilledWhileSpooling(['-r', repo, 'backup', src, '--no-cache', '--no-chunk-workers'], spool, delay);
      landed.push(r === 'SIGKILL' ? `${delay}ms:killed` : `${delay}ms:finished(${r})`);
      expect(await readdir(spool), `the temporary folder after kill ${i} at ${delay} ms (${landed.at(-1)})`).toEqual([]);
    }
    expect(landed.filter((l) => !l.includes('finished')).length, landed.join(', ')).toBeGreaterThan(0);

    // What the kills left in the repository (the temporary file of a pack being written, a lock's),
    // plus one planted in each folder prune must clear, so the check below never passes vacuously.
    const id = 'ee'.repeat(32);
    await writeFile(join(repo, 'data', 'ee', `${id}-tmp-0123456789ab`), 'partial pack');
    await writeFile(join(repo, 'locks', `${id}-tmp-0123456789ab`), 'partial lock');
    const left = await tempFiles(repo);
    // A young temporary file may belong to a live writer: prune keeps it.
    const young = `${'dd'.repeat(32)}-tmp-ba9876543210`;
    const old = (Date.now() - STALE_TEMP_AGE_MS - 60_000) / 1000;
    for (const f of left) await utimes(join(repo, f), old, old);
    await writeFile(join(repo, 'data', 'dd', young), 'young');

    const unlock = await runHighwater(['-r', repo, 'unlock', '--no-cache']);
    expect(unlock.code, unlock.stderr).toBe(0);
    const prune = await runHighwater(['-r', repo, 'prune', '--no-cache']);
    expect(prune.code, prune.stderr).toBe(0);
    expect(await tempFiles(repo), `left by the kills: ${left.join(', ')}`).toEqual([`data/dd/${young}`]);
    await resticOk(repo, ['check', '--read-data']);
    console.log(`litter kills: ${landed.join(', ')}; temporary files in the repository before prune: ${left.length}`);
  }, 300_000);
});
