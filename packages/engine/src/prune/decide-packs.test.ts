import { describe, expect, it } from 'vitest';
import { decidePacks, type DecideOptions } from './decide-packs.js';
import { HAS_DATA, HAS_TREE, HAS_UNCOMPRESSED, INDEXED, PackColumns, emptyStats } from './pack-info.js';
import { PackIds } from './pack-ids.js';
import { parseMaxUnused, parseSizeOption, maxUnusedBytes } from './max-unused.js';
import { PruneError } from './prune-error.js';

const MiB = 1024 * 1024;
const HDR = 36;

interface TestPack {
  usedBlobs: number;
  unusedBlobs: number;
  usedSize: number;
  unusedSize: number;
  type: 'data' | 'tree' | 'mixed';
  uncompressed: boolean;
}

function pack(o: Partial<TestPack> & { used?: number; unused?: number }): TestPack {
  return {
    usedBlobs: o.usedBlobs ?? (o.used ? 1 : 0),
    unusedBlobs: o.unusedBlobs ?? (o.unused ? 1 : 0),
    usedSize: HDR + (o.used ?? 0),
    unusedSize: o.unused ?? 0,
    type: o.type ?? 'data',
    uncompressed: o.uncompressed ?? false,
  };
}

/** A pack id whose bytes sort as `name` does (the name in ASCII, zero-padded): tests name packs by letters. */
function idOfName(name: string): Uint8Array {
  const id = new Uint8Array(32);
  id.set(Buffer.from(name, 'latin1'));
  return id;
}

const nameOfHex = (hex: string): string => Buffer.from(hex, 'hex').toString('latin1').replace(/\0+$/, '');

type Opts = Partial<Omit<DecideOptions, 'packs' | 'ids' | 'fileSizes' | 'unreferenced' | 'stats'>>;

/**
 * decidePacks over packs named by letters: `packs` are in the index (their files sized to match
 * unless `files` says otherwise), `files` are the repository's files (a name of `packs` left out of
 * it with `missing`). Returns the decision with names for positions.
 */
function decideWith(packs: Record<string, TestPack>, opts: Opts = {}, files: Record<string, number> = {}, missing: string[] = []) {
  const names = Object.keys(packs);
  const ids = new Uint8Array(32 * names.length);
  names.forEach((n, p) => ids.set(idOfName(n), 32 * p));
  const columns = new PackColumns(names.length);
  const fileSizes = new Float64Array(names.length).fill(-1);
  const stats = emptyStats();
  names.forEach((n, p) => {
    const t = packs[n]!;
    columns.usedBlobs[p] = t.usedBlobs;
    columns.unusedBlobs[p] = t.unusedBlobs;
    columns.usedSize[p] = t.usedSize;
    columns.unusedSize[p] = t.unusedSize;
    columns.flags[p] = INDEXED | (t.type === 'tree' ? HAS_TREE : t.type === 'data' ? HAS_DATA : HAS_DATA | HAS_TREE) | (t.uncompressed ? HAS_UNCOMPRESSED : 0);
    if (!missing.includes(n)) fileSizes[p] = files[n] ?? t.usedSize + t.unusedSize;
    stats.size.used += t.usedSize - HDR;
    stats.size.unused += t.unusedSize;
  });
  const unreferenced = Object.entries(files)
    .filter(([n]) => !(n in packs))
    .map(([name, size]) => ({ name, size }));
  const d = decidePacks({ packs: columns, ids: new PackIds(ids), fileSizes, unreferenced, stats, version: 2, packSize: 16 * MiB, ...opts });
  const named = (l: Iterable<string>): string[] => [...l].map(nameOfHex);
  return { removePacksFirst: d.removePacksFirst, repackPacks: named(d.repackPacks), removePacks: named(d.removePacks), ignorePacks: named(d.ignorePacks), smallPackBytes: d.smallPackBytes, stats };
}

const decide = (packs: Record<string, TestPack>, opts: Opts = {}, extraFiles: Record<string, number> = {}) => decideWith(packs, opts, extraFiles);

describe('decidePacks (restic 0.14 decidePackAction)', () => {
  it('keeps full used packs, deletes unused and unreferenced ones, repacks partly used ones', () => {
    const r = decide({ a: pack({ used: 16 * MiB }), b: pack({ unused: 5 * MiB }), c: pack({ used: 8 * MiB, unused: 8 * MiB, usedBlobs: 10, unusedBlobs: 3 }) }, {}, { z: 1234 });
    expect(r.removePacksFirst).toEqual(['z']);
    expect(r.removePacks).toEqual(['b']);
    expect(r.repackPacks).toEqual(['c']);
    expect(r.stats.packs).toMatchObject({ used: 1, unused: 1, partlyUsed: 1, keep: 1, repack: 1, remove: 1, unref: 1 });
    expect(r.stats.size.unref).toBe(1234);
    expect(r.stats.blobs).toMatchObject({ remove: 1, repack: 13, repackrm: 3 });
  });

  it('tolerates unused data up to --max-unused, and repacks everything with 0%', () => {
    const big = { a: pack({ used: 15 * MiB, unused: 1 * MiB, usedBlobs: 5, unusedBlobs: 1 }), b: pack({ used: 100 * MiB }) };
    expect(decide(big).repackPacks).toEqual([]); // 1 MiB unused of 115 used is below 5%
    expect(decide(big, { maxUnused: parseMaxUnused('0%') }).repackPacks).toEqual(['a']);
    expect(decide(big, { maxUnused: parseMaxUnused('512k') }).repackPacks).toEqual(['a']);
    expect(decide(big, { maxUnused: parseMaxUnused('unlimited') }).repackPacks).toEqual([]);
    expect(decide(big, { maxUnused: parseMaxUnused('0%'), maxRepackBytes: 1 * MiB }).repackPacks).toEqual([]);
  });

  it('repacks tree packs and v2 uncompressed tree packs whatever the limit', () => {
    const r = decide({ t: pack({ type: 'tree', used: 15 * MiB, unused: 1, usedBlobs: 3, unusedBlobs: 1 }), u: pack({ type: 'tree', used: 16 * MiB, uncompressed: true }), m: pack({ type: 'mixed', used: 16 * MiB }) });
    expect(r.repackPacks).toEqual(['m', 't', 'u']);
    expect(decide({ u: pack({ type: 'tree', used: 16 * MiB, uncompressed: true }) }, { version: 1 }).repackPacks).toEqual([]);
    expect(decide({ d: pack({ used: 16 * MiB, uncompressed: true }) }, { repackUncompressed: true }).repackPacks).toEqual(['d']);
    expect(decide({ t: pack({ type: 'tree', used: 1, unused: 1, usedBlobs: 1, unusedBlobs: 1 }), d: pack({ used: 1, unused: 1, usedBlobs: 1, unusedBlobs: 1 }) }, { repackCacheableOnly: true }).repackPacks).toEqual(['t']);
  });

  it('repacks small packs only when there are ten or more of them', () => {
    const nine = Object.fromEntries(Array.from({ length: 9 }, (_, i) => [`s${i}`, pack({ used: 1000 })]));
    expect(decide(nine).repackPacks).toEqual([]);
    expect(decide(nine).stats.packs.keep).toBe(9);
    const ten = { ...nine, s9: pack({ used: 1000 }) };
    expect(decide(ten).repackPacks).toHaveLength(10);
    // --repack-small: below 80% of the target pack size counts as small
    const mid = Object.fromEntries(Array.from({ length: 10 }, (_, i) => [`m${i}`, pack({ used: 8 * MiB })]));
    expect(decide(mid).repackPacks).toEqual([]);
    expect(decide(mid, { repackSmall: true }).repackPacks).toHaveLength(10);
  });

  it('--repack-smaller-than sets the small-pack threshold (restic >= 0.17), still only with ten or more small packs', () => {
    const ten = Object.fromEntries(Array.from({ length: 10 }, (_, i) => [`m${i}`, pack({ used: 8 * MiB })]));
    expect(decide(ten).repackPacks).toEqual([]);
    expect(decide(ten).smallPackBytes).toBe(Math.floor((16 * MiB) / 25));
    expect(decide(ten, { repackSmallerThan: 8 * MiB + HDR }).repackPacks).toEqual([]); // not below: 8 MiB + header
    const r = decide(ten, { repackSmallerThan: 8 * MiB + HDR + 1 });
    expect(r.repackPacks).toHaveLength(10);
    expect(r.smallPackBytes).toBe(8 * MiB + HDR + 1);
    expect(r.stats.size.repack).toBe(10 * (8 * MiB + HDR));
    const nine = Object.fromEntries(Object.entries(ten).slice(0, 9));
    expect(decide(nine, { repackSmallerThan: 16 * MiB }).repackPacks).toEqual([]);
    // It replaces --repack-small's 80% threshold.
    expect(decide(ten, { repackSmall: true, repackSmallerThan: 1 * MiB }).repackPacks).toEqual([]);
  });

  it('stops on a needed pack whose size is wrong or that is missing; forgets missing unneeded ones', () => {
    const packs = { a: pack({ used: 100 }) };
    expect(() => decide(packs, {}, { a: 99 })).toThrow(PruneError);
    expect(() => decide(packs, {}, { a: 99 })).toThrow(new RegExp(`data/${Buffer.from(idOfName('a')).toString('hex')}: size 99`));
    expect(() => decideWith({ a: pack({ used: 100 }) }, {}, {}, ['a'])).toThrow(/missing/);
    const warnings: string[] = [];
    const r = decideWith({ gone: pack({ unused: 100 }) }, { warn: (m) => warnings.push(m) }, {}, ['gone']);
    expect(r.ignorePacks).toEqual(['gone']);
    expect(warnings).toEqual([`will forget missing pack file data/${Buffer.from(idOfName('gone')).toString('hex')} (not needed)`]);
  });
});

describe('prune option values', () => {
  it('parses sizes and --max-unused as restic does', () => {
    expect(parseSizeOption('10', 'x')).toBe(10);
    expect(parseSizeOption('2k', 'x')).toBe(2048);
    expect(parseSizeOption('3G', 'x')).toBe(3 * 1024 ** 3);
    expect(() => parseSizeOption('1.5m', '--max-repack-size')).toThrow(/--max-repack-size/);
    expect(parseMaxUnused('5%')).toEqual({ kind: 'percent', percent: 5 });
    expect(parseMaxUnused('2.5%')).toEqual({ kind: 'percent', percent: 2.5 });
    expect(parseMaxUnused('unlimited')).toEqual({ kind: 'unlimited' });
    expect(parseMaxUnused('1m')).toEqual({ kind: 'bytes', bytes: MiB });
    for (const bad of ['', '100%', 'x%', '-1%', 'lots']) expect(() => parseMaxUnused(bad)).toThrow(PruneError);
    expect(maxUnusedBytes({ kind: 'percent', percent: 5 }, 95)).toBe(5);
    expect(maxUnusedBytes({ kind: 'percent', percent: 0 }, 95)).toBe(0);
  });
});
