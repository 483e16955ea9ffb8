/**
 * Differential test with the real restic: restic backs up files, and the SHA-256 of every chunk
 * chunkStream makes with the repository's polynomial must equal the blob ids restic stored in
 * each file node's "content", in order.
 */
import { execFileSync } from 'node:child_process';
import { createReadStream, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createHash } from 'node:crypto';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { requirePeer } from '../../../scripts/peers.js';
import { chunkStream, parsePolynomial } from '@highwater/chunker';
import { seededBytes } from './chunker.test-util.js';

const hasRestic = requirePeer('restic');
const MiB = 1024 * 1024;

interface Node {
  name: string;
  type: string;
  subtree?: string;
  content?: string[] | null;
}

describe.skipIf(!hasRestic)('chunk boundaries equal restic 0.14 blob ids', () => {
  const dir = mkdtempSync(join(tmpdir(), 'hw-chunker-'));
  const repo = join(dir, 'repo');
  const src = join(dir, 'src');
  const env = { ...process.env, RESTIC_PASSWORD: 'pw', RESTIC_REPOSITORY: repo, RESTIC_CACHE_DIR: join(dir, 'cache') };
  const restic = (...args: string[]) => execFileSync('restic', args, { env, encoding: 'utf8', maxBuffer: 64 * MiB });
  const repetitive = Buffer.alloc(13 * MiB + 777);
  for (let i = 0; i < repetitive.length; i++) repetitive[i] = (i * 7 + (i >> 10)) % 251; // period far below the window mask
  const files: Record<string, Uint8Array> = {
    'empty.bin': new Uint8Array(0),
    'small.bin': seededBytes(1000, 1),
    'just-under-min.bin': seededBytes(512 * 1024 - 1, 2),
    'random-5m.bin': seededBytes(5 * MiB + 3, 3),
    'random-19m.bin': seededBytes(19 * MiB + 12345, 4),
    'random-30m.bin': seededBytes(30 * MiB, 5),
    'zeros-17m.bin': new Uint8Array(17 * MiB + 100),
    'repetitive-13m.bin': new Uint8Array(repetitive.buffer, repetitive.byteOffset, repetitive.length),
    'pattern-20m.bin': Buffer.alloc(20 * MiB, 'highwater '),
  };
  const contents = new Map<string, string[]>();
  let polynomial = 0n;

  beforeAll(() => {
    mkdirSync(src);
    for (const [name, data] of Object.entries(files)) writeFileSync(join(src, name), data);
    restic('init', '--repository-version', '2');
    polynomial = parsePolynomial(JSON.parse(restic('cat', 'config')).chunker_polynomial);
    restic('backup', '--host', 'test', src);
    const snapshotId = (JSON.parse(restic('snapshots', '--json')) as Array<{ id: string }>)[0]!.id;
    const walk = (treeId: string): void => {
      const tree = JSON.parse(restic('cat', 'blob', treeId)) as { nodes: Node[] };
      for (const node of tree.nodes) {
        if (node.type === 'dir' && node.subtree) walk(node.subtree);
        else if (node.type === 'file') contents.set(node.name, node.content ?? []);
      }
    };
    walk(JSON.parse(restic('cat', 'snapshot', snapshotId)).tree);
  }, 300_000);
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it.each(Object.keys(files))('%s', async (name) => {
    const expected = contents.get(name);
    expect(expected, `restic stored no node for ${name}`).toBeDefined();
    const got: string[] = [];
    for await (const chunk of chunkStream(createReadStream(join(src, name)), polynomial)) {
      got.push(createHash('sha256').update(chunk).digest('hex'));
    }
    expect(got).toEqual(expected);
  });

  it('covered forced cuts at MaxSize and minimal chunks', () => {
    // The repetitive and pattern files never match the split mask: restic cut them at 8 MiB.
    expect(contents.get('pattern-20m.bin')!.length).toBe(3);
    expect(contents.get('zeros-17m.bin')!.length).toBe(35);
  });
});
