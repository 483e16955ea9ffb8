/**
 * Byte layouts on their own: Go-style JSON, trees, config, snapshots, pack headers, index files,
 * unpacked files, zstd (the polynomial's arithmetic is tested in @highwater/chunker).
 */
import { describe, expect, it } from 'vitest';
import { generateMasterKey, open, seal, sha256 } from '@highwater/crypto';
import {
  COMPRESSED_ENTRY_SIZE,
  EMPTY_HEADER_SIZE,
  IndexFileWriter,
  INDEX_MAX_BLOBS,
  PLAIN_ENTRY_SIZE,
  RepoError,
  compress,
  compareSnapshotTimes,
  decodeConfig,
  decodeHeader,
  decodeSnapshot,
  decodeTree,
  decodeTreeStream,
  decodeUnpacked,
  decompress,
  decompressStream,
  encodeConfig,
  encodeHeader,
  encodeSnapshot,
  encodeTree,
  encodeUnpacked,
  idFromHex,
  idToHex,
  loadZstd,
  packSizeFromHeader,
  blobPlaintextLength,
} from '@highwater/repo';
import type { BlobId, PackId } from '@highwater/repo';
import { goString } from './go-json.js';
import { frameContentSize } from './compression.js';

await loadZstd();
const enc = (s: string) => new TextEncoder().encode(s);
const dec = (b: Uint8Array) => new TextDecoder().decode(b);
const hex = (c: string) => c.repeat(64);

async function* chunked(b: Uint8Array, size: number): AsyncGenerator<Uint8Array> {
  for (let i = 0; i < b.length; i += size) yield b.subarray(i, i + size);
}

describe('Go-style JSON strings', () => {
  it('escapes as go1.19 encoding/json does', () => {
    expect(goString('a<b>&c')).toBe('"a\\u003cb\\u003e\\u0026c"');
    expect(goString('\b\f\n\r\t\u0001"\\')).toBe('"\\u0008\\u000c\\n\\r\\t\\u0001\\"\\\\"');
    expect(goString('\u2028\u2029é😀')).toBe('"\\u2028\\u2029é😀"');
    expect(goString('x\ud800y')).toBe('"x\ufffdy"');
    expect(goString('\\b')).toBe('"\\\\b"');
  });

  it('encode every ASCII character as Go does, alone and inside a name', () => {
    const short: Record<number, string> = { 0x08: '\\u0008', 0x09: '\\t', 0x0a: '\\n', 0x0c: '\\u000c', 0x0d: '\\r', 0x22: '\\"', 0x5c: '\\\\', 0x3c: '\\u003c', 0x3e: '\\u003e', 0x26: '\\u0026' };
    for (let c = 0; c < 0x80; c++) {
      const go = short[c] ?? (c < 0x20 ? `\\u${c.toString(16).padStart(4, '0')}` : String.fromCharCode(c));
      expect(goString(String.fromCharCode(c))).toBe(`"${go}"`);
      expect(goString(`file${String.fromCharCode(c)}.txt`)).toBe(`"file${go}.txt"`);
    }
  });
});

describe('trees', () => {
  it('encode with restic field order and omitempty, and a trailing newline', () => {
    const t = encodeTree({
      nodes: [
        { name: 'd', type: 'dir', mode: 2147484141, mtime: 't1', atime: 't2', ctime: 't3', uid: 1000, gid: 100, user: 'u', group: 'g', inode: 5, device_id: 7, content: null, subtree: hex('a') },
        { name: 'f', type: 'file', size: 3, links: 2, content: [hex('b')] },
        { name: 'e', type: 'file', content: [] },
      ],
    });
    expect(dec(t)).toBe(
      '{"nodes":[' +
        `{"name":"d","type":"dir","mode":2147484141,"mtime":"t1","atime":"t2","ctime":"t3","uid":1000,"gid":100,"user":"u","group":"g","inode":5,"device_id":7,"content":null,"subtree":"${hex('a')}"},` +
        `{"name":"f","type":"file","mtime":"0001-01-01T00:00:00Z","atime":"0001-01-01T00:00:00Z","ctime":"0001-01-01T00:00:00Z","uid":0,"gid":0,"size":3,"links":2,"content":["${hex('b')}"]},` +
        '{"name":"e","type":"file","mtime":"0001-01-01T00:00:00Z","atime":"0001-01-01T00:00:00Z","ctime":"0001-01-01T00:00:00Z","uid":0,"gid":0,"content":[]}' +
        ']}\n',
    );
    expect(dec(encodeTree({ nodes: [] }))).toBe('{"nodes":[]}\n');
  });

  it('decode whole and streamed to the same nodes, at any chunk size', async () => {
    const nodes = Array.from({ length: 500 }, (_, i) => ({ name: `f${i} "q" ]}`, type: 'file' as const, size: i, content: [hex('c')] }));
    const b = encodeTree({ nodes });
    const whole = decodeTree(b).nodes;
    expect(whole.map((n) => n.name)).toEqual(nodes.map((n) => n.name));
    for (const size of [1, 7, 4096]) {
      const streamed = [];
      for await (const n of decodeTreeStream(chunked(b, size))) streamed.push(n);
      expect(streamed).toEqual(whole);
    }
  });

  it('reject what is not a tree with BAD_TREE naming the source', async () => {
    expect(() => decodeTree(enc('{"nodes":[{"type":"file"}]}'), 'data/x')).toThrow(/^data\/x: tree node without a name/);
    expect(() => decodeTree(enc('[1]'), 'f')).toThrowError(RepoError);
    expect(() => decodeTree(enc('{"nodes":[{"name":"a","type":"dir","subtree":"zz"}]}'))).toThrow(/invalid subtree/);
    const stream = async () => {
      for await (const _ of decodeTreeStream(chunked(enc('{"nodes":[{"name":"a","type":"file"}'), 3), 'f')) void _;
    };
    await expect(stream()).rejects.toMatchObject({ code: 'BAD_TREE', file: 'f' });
  });
});

describe('config', () => {
  it('round-trips and is written as restic writes it', () => {
    const c = { version: 2 as const, id: hex('1'), chunkerPolynomial: 0x2f53d00495f5afn };
    expect(dec(encodeConfig(c))).toBe(`{"version":2,"id":"${hex('1')}","chunker_polynomial":"2f53d00495f5af"}`);
    expect(decodeConfig(encodeConfig(c))).toEqual(c);
  });
  it('rejects unknown versions and malformed configs', () => {
    expect(() => decodeConfig(enc(`{"version":3,"id":"${hex('1')}","chunker_polynomial":"1"}`))).toThrow(expect.objectContaining({ code: 'UNSUPPORTED_VERSION', file: 'config' }));
    expect(() => decodeConfig(enc('{"version":1}'))).toThrow(expect.objectContaining({ code: 'BAD_CONFIG' }));
    expect(() => decodeConfig(enc('nope'))).toThrow(expect.objectContaining({ code: 'BAD_CONFIG' }));
  });
});

describe('snapshots', () => {
  it('encode with restic field order and omitempty', () => {
    const s = { time: 't', parent: hex('a'), tree: hex('b'), paths: ['/x'], hostname: 'h', username: 'u', uid: 0, gid: 5, excludes: [], tags: ['a<b'], original: hex('c') };
    expect(dec(encodeSnapshot(s))).toBe(
      `{"time":"t","parent":"${hex('a')}","tree":"${hex('b')}","paths":["/x"],"hostname":"h","username":"u","gid":5,"tags":["a\\u003cb"],"original":"${hex('c')}"}`,
    );
  });
  it('order times to the nanosecond, across time zones', () => {
    expect(compareSnapshotTimes('2020-01-01T00:00:00.000000002Z', '2020-01-01T00:00:00.000000001Z')).toBeGreaterThan(0);
    expect(compareSnapshotTimes('2020-01-01T01:00:00.5+01:00', '2020-01-01T00:00:00.4Z')).toBeGreaterThan(0);
    expect(compareSnapshotTimes('2020-01-01T00:00:00Z', '2020-01-01T00:00:00.000Z')).toBe(0);
  });

  it('rejects snapshots without a valid tree or time', () => {
    expect(() => decodeSnapshot(enc('{"time":"2020-01-01T00:00:00Z","tree":"x","paths":[]}'), 'snapshots/1')).toThrow(expect.objectContaining({ code: 'BAD_SNAPSHOT', file: 'snapshots/1' }));
    expect(() => decodeSnapshot(enc(`{"time":"never","tree":"${hex('a')}"}`))).toThrow(/no valid time/);
  });
});

describe('pack headers', () => {
  const a = idFromHex<'blob'>(hex('a')) as BlobId;
  const b = idFromHex<'blob'>(hex('b')) as BlobId;
  it('round-trip plain and compressed entries with implied offsets', () => {
    const entries = [
      { type: 'data' as const, id: a, offset: 0, length: 100, uncompressedLength: 0 },
      { type: 'tree' as const, id: b, offset: 100, length: 50, uncompressedLength: 400 },
    ];
    const h = encodeHeader(entries);
    expect(h.length).toBe(PLAIN_ENTRY_SIZE + COMPRESSED_ENTRY_SIZE);
    expect([h[0], h[PLAIN_ENTRY_SIZE]]).toEqual([0, 3]);
    const back = decodeHeader(h, 2) as typeof entries;
    expect(back.map((e) => ({ ...e, id: idToHex(e.id) }))).toEqual(entries.map((e) => ({ ...e, id: idToHex(e.id) })));
    expect(decodeHeader(h, 1)).toMatch(/compressed blob in header entry 1 of a version 1/);
    expect(decodeHeader(h.subarray(0, 40), 2)).toMatch(/header ends inside entry 1/);
    const bad = h.slice();
    bad[0] = 9;
    expect(decodeHeader(bad, 2)).toMatch(/unknown blob type 9/);
  });

  it('give the pack size they imply: blobs, sealed header, 4-byte length', () => {
    const entries = [
      { type: 'data' as const, id: a, offset: 0, length: 100, uncompressedLength: 0 },
      { type: 'tree' as const, id: b, offset: 100, length: 50, uncompressedLength: 400 },
    ];
    expect(EMPTY_HEADER_SIZE).toBe(32 + 4);
    expect(packSizeFromHeader(entries)).toBe(150 + 32 + PLAIN_ENTRY_SIZE + COMPRESSED_ENTRY_SIZE + 4);
    expect(packSizeFromHeader([])).toBe(36);
    expect(entries.map(blobPlaintextLength)).toEqual([100 - 32, 400]);
  });
});

describe('index files', () => {
  it('are written with restic field order, omitempty and supersedes', () => {
    const w = new IndexFileWriter({ supersedes: [idFromHex(hex('9'))] });
    w.addPack(idFromHex(hex('a')) as PackId, [
      { type: 'data', id: idFromHex(hex('b')), offset: 0, length: 38, uncompressedLength: 0 },
      { type: 'tree', id: idFromHex(hex('c')), offset: 38, length: 90, uncompressedLength: 300 },
    ]);
    expect(w.entryCount).toBe(2);
    expect(w.full).toBe(false);
    expect(dec(w.finish())).toBe(
      `{"supersedes":["${hex('9')}"],"packs":[{"id":"${hex('a')}","blobs":[{"id":"${hex('b')}","type":"data","offset":0,"length":38},{"id":"${hex('c')}","type":"tree","offset":38,"length":90,"uncompressed_length":300}]}]}`,
    );
    expect(() => w.addPack(idFromHex(hex('a')) as PackId, [])).toThrow(TypeError);
    expect(dec(new IndexFileWriter().finish())).toBe('{"packs":[]}');
  });
  it('say full at 50,000 blobs', () => {
    const w = new IndexFileWriter();
    const blobs = Array.from({ length: INDEX_MAX_BLOBS }, (_, i) => ({ type: 'data' as const, id: sha256(enc(String(i))), offset: i, length: 1, uncompressedLength: 0 }));
    w.addPack(idFromHex(hex('a')) as PackId, blobs);
    expect(w.full).toBe(true);
  });
});

describe('zstd', () => {
  it('round-trips, records the content size, and checks the expected length', async () => {
    const p = enc('abc'.repeat(100_000));
    const z = compress(p);
    expect(z.length).toBeLessThan(p.length / 10);
    expect(frameContentSize(z)).toBe(p.length);
    expect(Buffer.from(decompress(z, p.length)).equals(p)).toBe(true);
    expect(Buffer.from(decompress(z)).equals(p)).toBe(true);
    expect(() => decompress(z, 5, 'data/x')).toThrow(expect.objectContaining({ code: 'BAD_COMPRESSION', file: 'data/x' }));
    expect(() => decompress(enc('not zstd'), undefined, 'f')).toThrow(expect.objectContaining({ code: 'BAD_COMPRESSION' }));
    const parts = [];
    for await (const c of decompressStream(chunked(z, 1000))) parts.push(c);
    expect(Buffer.concat(parts).equals(p)).toBe(true);
  });
});

describe('unpacked files', () => {
  const key = generateMasterKey();
  it('v2 compresses index/snapshot/lock files behind the byte 0x02, not config or keys', () => {
    const p = enc('{"packs":[]}'.repeat(100));
    expect(open(key, encodeUnpacked({ key, version: 2, type: 'index', plaintext: p }))[0]).toBe(2);
    expect(open(key, encodeUnpacked({ key, version: 2, type: 'config', plaintext: p }))[0]).toBe(0x7b);
    expect(open(key, encodeUnpacked({ key, version: 1, type: 'index', plaintext: p }))[0]).toBe(0x7b);
    const sealed = encodeUnpacked({ key, version: 2, type: 'snapshot', plaintext: p });
    expect(decodeUnpacked({ key, version: 2, type: 'snapshot', name: idToHex(sha256(sealed)), sealed, file: 'f' })).toEqual(p);
  });
  it('v2 reads uncompressed JSON too; rejects unknown encodings and content that does not match the name', () => {
    const raw = seal(key, enc('{"a":1}'));
    expect(dec(decodeUnpacked({ key, version: 2, type: 'index', name: idToHex(sha256(raw)), sealed: raw, file: 'f' }))).toBe('{"a":1}');
    const odd = seal(key, new Uint8Array([7, 1, 2]));
    expect(() => decodeUnpacked({ key, version: 2, type: 'index', name: idToHex(sha256(odd)), sealed: odd, file: 'index/x' })).toThrow(
      expect.objectContaining({ code: 'UNSUPPORTED_VERSION', file: 'index/x' }),
    );
    expect(() => decodeUnpacked({ key, version: 2, type: 'index', name: hex('0'), sealed: raw, file: 'index/0' })).toThrow(expect.objectContaining({ code: 'HASH_MISMATCH' }));
  });
});
