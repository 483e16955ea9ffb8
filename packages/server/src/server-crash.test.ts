import { createHash } from 'node:crypto';
import { watch } from 'node:fs';
import { mkdir, mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { createServer, type AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { requirePeer } from '../../../scripts/peers.js';
import { buildServer, startChildServer, type ChildServer } from './child-server.test-util.js';
import { makeSourceTree, restic } from './restic.test-util.js';

const hasRestic = requirePeer('restic');
const sha = (b: Uint8Array) => createHash('sha256').update(b).digest('hex');

async function freePort(): Promise<number> {
  const srv = createServer();
  await new Promise<void>((r) => srv.listen(0, '127.0.0.1', () => r()));
  const { port } = srv.address() as AddressInfo;
  await new Promise((r) => srv.close(r));
  return port;
}

/** Every file under data/XX/ with a final (64-hex) name must hash to its name. */
async function checkDataNames(repoDir: string): Promise<{ files: number; temps: number }> {
  let files = 0;
  let temps = 0;
  for (const sub of await readdir(join(repoDir, 'data'))) {
    for (const name of await readdir(join(repoDir, 'data', sub))) {
      if (/^[0-9a-f]{64}$/.test(name)) {
        expect(sha(await readFile(join(repoDir, 'data', sub, name))), `data/${sub}/${name}`).toBe(name);
        files++;
      } else temps++;
    }
  }
  return { files, temps };
}

async function writeRandom(path: string, size: number, seed: number): Promise<void> {
  const b = Buffer.alloc(size);
  let x = seed >>> 0 || 1;
  for (let i = 0; i < size; i += 4) {
    x ^= x << 13;
    x ^= x >>> 17;
    x ^= x << 5;
    b.writeUInt32LE(x >>> 0, i);
  }
  await writeFile(path, b);
}

describe.skipIf(!hasRestic)('restic backup while the server is killed (SIGKILL) and restarted', () => {
  let dir: string;
  beforeAll(async () => {
    await buildServer();
    dir = await mkdtemp(join(tmpdir(), 'hw-crash-'));
  });
  afterAll(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it('keeps every stored file whole, and the repository checks and restores', async () => {
    const port = await freePort();
    const data = join(dir, 'srv');
    await mkdir(data);
    let srv: ChildServer = await startChildServer(data, port);
    const repo = `rest:http://127.0.0.1:${port}/repo/`;
    const first = join(dir, 'first');
    const grow = join(dir, 'grow');
    await makeSourceTree(first);
    await mkdir(grow);
    try {
      expect((await restic(['-r', repo, 'init'])).code).toBe(0);
      expect((await restic(['-r', repo, 'backup', first])).code).toBe(0);
      let seed = 20261126;
      const log: string[] = [];
      for (let round = 0; round < 3; round++) {
        await writeRandom(join(grow, `r${round}.bin`), 24 << 20, seed++);
        // Kill the server as soon as an upload has started to write (a temporary file appears),
        // after a varying number of further events; fall back to a varying delay.
        seed = (seed * 1103515245 + 12345) >>> 0;
        const skip = seed % 3;
        const delay = 300 + (seed % 700);
        let seen = 0;
        const watcher = watch(join(data, 'repo', 'data'), { recursive: true });
        const started = new Promise<string>((resolve) => {
          watcher.on('change', (_e, f) => {
            if (String(f).includes('-tmp-') && seen++ >= skip) resolve(`an upload was writing (${String(f)})`);
          });
          setTimeout(() => resolve(`${delay} ms`), delay + 2000);
        });
        const backup = restic(['-r', repo, 'backup', grow]);
        const when = await started;
        await srv.kill();
        watcher.close();
        const delayText = when;
        const state = await checkDataNames(join(data, 'repo'));
        log.push(`round ${round}: killed when ${delayText}, ${state.files} data files, ${state.temps} temporary files`);
        srv = await startChildServer(data, port);
        const done = await backup;
        expect(done.code, `${log.join('\n')}\n${done.stderr}`).toBe(0);
      }
      await checkDataNames(join(data, 'repo'));
      const check = await restic(['-r', repo, 'check', '--read-data']);
      expect(check.code, `${log.join('\n')}\n${check.stderr}${check.stdout}`).toBe(0);
      const snaps = JSON.parse((await restic(['-r', repo, 'snapshots', '--json'])).stdout) as Array<{ id: string; paths: string[] }>;
      expect(snaps).toHaveLength(4);
      const target = join(dir, 'restore');
      const firstSnap = snaps.find((s) => s.paths[0] === first)!;
      expect((await restic(['-r', repo, 'restore', firstSnap.id, '--target', target])).code).toBe(0);
      expect(sha(await readFile(join(target, first, 'big.bin')))).toBe(sha(await readFile(join(first, 'big.bin'))));
      const last = snaps.at(-1)!;
      const target2 = join(dir, 'restore2');
      expect((await restic(['-r', repo, 'restore', last.id, '--target', target2])).code).toBe(0);
      for (let round = 0; round < 3; round++) {
        expect(sha(await readFile(join(target2, grow, `r${round}.bin`)))).toBe(sha(await readFile(join(grow, `r${round}.bin`))));
      }
      console.log(log.join('\n'));
    } finally {
      await srv.kill();
    }
  }, 600_000);
});
