import { mkdtempSync, readdirSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { sha256 } from '@highwater/crypto';
import { idToHex } from './ids.js';
import { TreeBuilder } from './tree-builder.js';
import { decodeTree, encodeTree, type TreeNode } from './tree.js';

const root = mkdtempSync(join(tmpdir(), 'hw-tree-builder-'));
afterAll(() => rmSync(root, { recursive: true, force: true }));

const T = '2021-01-01T00:00:00Z';
const fileNode = (o: { file: number; modified: number; size: number; content: string[] }): TreeNode => ({
  name: `f${String(o.file).padStart(9, '0')}.dat`, type: 'file', mode: 0o644, mtime: T.replace('01T', `${String(1 + o.modified).padStart(2, '0')}T`), atime: T, ctime: T,
  uid: 1000, gid: 1000, user: 'backup', group: 'backup', inode: 1_000_000 + o.file, device_id: 2049, size: o.size, links: 1, content: o.content,
});
const dirNode = (o: { position: number; inode: number; subtree: string }): TreeNode => ({
  name: `d${String(o.position).padStart(6, '0')}`, type: 'dir', mode: 0x8000_0000 + 0o755, mtime: T, atime: T, ctime: T,
  uid: 1000, gid: 1000, user: 'backup', group: 'backup', inode: o.inode, device_id: 2049, content: null, subtree: o.subtree,
});

function nodes(n: number): TreeNode[] {
  const out: TreeNode[] = [];
  for (let i = 0; i < n; i++) {
    out.push(i % 7 === 0
      ? dirNode({ position: i, inode: 10 + i, subtree: idToHex(sha256(new Uint8Array([i & 0xff, i >> 8]))) })
      : fileNode({ file: i, modified: i % 3, size: 64 * (1 + (i % 2)), content: [idToHex(sha256(new Uint8Array([i]))), ...(i % 2 ? [idToHex(sha256(new Uint8Array([i, 1])))] : [])] }));
  }
  return out.sort((a, b) => (a.name < b.name ? -1 : 1));
}

function concat(pieces: Iterable<Uint8Array>): Buffer {
  const parts: Buffer[] = [];
  for (const p of pieces) parts.push(Buffer.from(p)); // copies: a piece is only valid until the next
  return Buffer.concat(parts);
}

describe('TreeBuilder', () => {
  it('makes the same bytes and id whether it spills to a file or not, equal to encodeTree', () => {
    for (const count of [0, 1, 511, 512, 513, 3000]) {
      const list = nodes(count);
      const want = Buffer.from(encodeTree({ nodes: list }));
      for (const spillBytes of [1, 1000, 100_000, undefined]) {
        const dir = mkdtempSync(join(root, 'case-'));
        const b = new TreeBuilder({ estimate: 100, tmpDir: dir, ...(spillBytes !== undefined ? { spillBytes } : {}) });
        for (const n of list) b.add(n);
        const built = b.finish();
        const label = `${count} nodes, spill at ${spillBytes}`;
        expect(b.spilled, label).toBe(spillBytes !== undefined && want.length > spillBytes);
        expect(built.length, label).toBe(want.length);
        expect(idToHex(built.id), label).toBe(idToHex(sha256(want)));
        if (b.spilled) expect(built.bytes, label).toBeUndefined();
        else expect(Buffer.from(built.bytes!).equals(want), label).toBe(true);
        const read = concat(b.pieces());
        expect(read.equals(want), label).toBe(true);
        expect(concat(b.pieces()).equals(want), `${label}, read twice`).toBe(true);
        expect(decodeTree(read).nodes.length).toBe(count);
        b.dispose();
        expect(readdirSync(dir), label).toEqual([]);
      }
    }
  });

  it('spills to a 0600 file in a folder of its own under tmpDir, read back in pieces of at most 1 MiB', () => {
    const dir = mkdtempSync(join(root, 'mode-'));
    const b = new TreeBuilder({ tmpDir: dir, spillBytes: 64 << 10 });
    const list = nodes(12_000);
    for (const n of list) b.add(n);
    expect(b.spilled).toBe(true);
    const [folder] = readdirSync(dir);
    expect(folder).toMatch(/^hw-tree-/);
    expect(statSync(join(dir, folder!)).mode & 0o777).toBe(0o700);
    const files = readdirSync(join(dir, folder!));
    expect(files).toHaveLength(1);
    expect(statSync(join(dir, folder!, files[0]!)).mode & 0o777).toBe(0o600);
    const built = b.finish();
    expect(built.length).toBeGreaterThan(2 << 20);
    const sizes = [...b.pieces()].map((p) => p.length);
    expect(Math.max(...sizes)).toBe(1 << 20);
    expect(sizes.reduce((a, x) => a + x, 0)).toBe(built.length);
    b.dispose();
    b.dispose();
    expect(readdirSync(dir)).toEqual([]);
  });

  it('dispose removes the file of an unfinished builder (an error path); misuse throws', () => {
    const dir = mkdtempSync(join(root, 'abort-'));
    const b = new TreeBuilder({ tmpDir: dir, spillBytes: 1 });
    b.add(nodes(1)[0]!);
    expect(() => [...b.pieces()]).toThrow(TypeError);
    b.dispose();
    expect(readdirSync(dir)).toEqual([]);

    const c = new TreeBuilder({ tmpDir: dir });
    c.finish();
    expect(() => c.add(nodes(1)[0]!)).toThrow(TypeError);
    expect(() => c.finish()).toThrow(TypeError);
    expect(() => new TreeBuilder({ spillBytes: 0 })).toThrow(RangeError);
    expect(readdirSync(dir)).toEqual([]);
  });
});
