/**
 * The one conformance suite every Backend runs (local, mem, REST against highwater's server, and
 * any wrapper). Import it from `@highwater/backend/conformance` in a test file; it registers
 * vitest tests, so it must not be imported from production code.
 */
import { createHash } from 'node:crypto';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { Backend, FileInfo, FileType, Handle } from './backend.js';

export interface ConformanceSubject {
  readonly backend: Backend;
  cleanup(): Promise<void>;
}

export interface ConformanceOptions {
  /** Size of the large streamed file (default 40 MiB + 123 bytes: above 32 MiB, not chunk-aligned). */
  readonly largeSize?: number;
}

const TYPES: readonly Exclude<FileType, 'config'>[] = ['key', 'lock', 'snapshot', 'index', 'data'];

/** A deterministic 64-hex name derived from a label (for files that are never saved). */
export function nameOf(label: string): string {
  return createHash('sha256').update(label).digest('hex');
}

/** A handle named by the SHA-256 of the content, as restic names every file but config. */
export function contentHandle(type: Exclude<FileType, 'config'>, content: Uint8Array | string): Handle {
  return { type, name: createHash('sha256').update(content).digest('hex') };
}

/** Deterministic bytes (xorshift32) in chunks, so large files need no buffer of their own. */
export async function* pseudoRandomChunks(seed: number, size: number, chunkSize = 1 << 20): AsyncGenerator<Uint8Array> {
  let x = seed >>> 0 || 0x9e3779b9;
  for (let done = 0; done < size; ) {
    const n = Math.min(chunkSize, size - done);
    const buf = new Uint8Array(n);
    for (let i = 0; i < n; i++) {
      x ^= x << 13;
      x ^= x >>> 17;
      x ^= x << 5;
      buf[i] = x & 0xff;
    }
    done += n;
    yield buf;
  }
}

async function collect(it: AsyncIterable<Uint8Array>): Promise<Uint8Array> {
  const parts: Uint8Array[] = [];
  for await (const c of it) parts.push(c);
  return Buffer.concat(parts);
}

async function listAll(b: Backend, type: FileType): Promise<FileInfo[]> {
  const out: FileInfo[] = [];
  for await (const f of b.list(type)) out.push(f);
  return out.sort((a, b2) => a.name.localeCompare(b2.name));
}

async function codeOf(p: Promise<unknown>): Promise<string | undefined> {
  try {
    await p;
    return undefined;
  } catch (err) {
    return (err as { code?: string }).code ?? (err as Error).message;
  }
}

function bytes(s: string): Uint8Array {
  return new TextEncoder().encode(s);
}

export function describeBackendConformance(
  name: string,
  make: () => Promise<ConformanceSubject>,
  opts: ConformanceOptions = {},
): void {
  describe(`Backend conformance: ${name}`, () => {
    let subject: ConformanceSubject;
    let b: Backend;
    beforeEach(async () => {
      subject = await make();
      b = subject.backend;
      await b.create();
    });
    afterEach(async () => {
      await subject.backend.close();
      await subject.cleanup();
    });

    it('saves and loads every file type, config included', async () => {
      for (const type of TYPES) {
        const h = contentHandle(type, `content of ${type}`);
        await b.save(h, bytes(`content of ${type}`));
        expect(Buffer.from(await b.load(h)).toString()).toBe(`content of ${type}`);
      }
      await b.save({ type: 'config', name: '' }, bytes('config bytes'));
      expect(Buffer.from(await b.load({ type: 'config', name: '' })).toString()).toBe('config bytes');
      expect((await b.stat({ type: 'config', name: '' })).size).toBe(12);
    });

    it('keeps its own copy of saved bytes and hands out fresh ones', async () => {
      const h = contentHandle('index', 'abcdef');
      const data = bytes('abcdef');
      await b.save(h, data);
      data[0] = 0x7a;
      const first = await b.load(h);
      expect(Buffer.from(first).toString()).toBe('abcdef');
      first[1] = 0x7a;
      expect(Buffer.from(await b.load(h)).toString()).toBe('abcdef');
    });

    it('saves and loads an empty file', async () => {
      const h = contentHandle('data', '');
      await b.save(h, new Uint8Array(0));
      expect((await b.load(h)).byteLength).toBe(0);
      expect(await b.stat(h)).toEqual({ name: h.name, size: 0 });
    });

    it('loads ranges and refuses ranges past the end', async () => {
      const text = '0123456789abcdefghij';
      const h = contentHandle('data', text);
      await b.save(h, bytes(text));
      const at = async (offset?: number, length?: number) => Buffer.from(await b.load(h, { offset, length })).toString();
      expect(await at(5)).toBe(text.slice(5));
      expect(await at(0, 4)).toBe('0123');
      expect(await at(10, 5)).toBe('abcde');
      expect(await at(19, 1)).toBe('j');
      expect(await at(20, 0)).toBe('');
      expect(await at(20)).toBe('');
      expect(await codeOf(b.load(h, { offset: 18, length: 3 }))).toBe('SHORT_READ');
      expect(await codeOf(b.load(h, { offset: 21 }))).toBe('SHORT_READ');
      expect(await codeOf(b.load(h, { offset: -1 }))).not.toBeUndefined();
    });

    it('streams a whole file and a range', async () => {
      const text = 'streaming backends hand out chunks';
      const h = contentHandle('data', text);
      await b.save(h, bytes(text));
      expect(Buffer.from(await collect(b.stream(h))).toString()).toBe(text);
      expect(Buffer.from(await collect(b.stream(h, { offset: 10, length: 8 }))).toString()).toBe(text.slice(10, 18));
      expect(await codeOf(collect(b.stream(h, { offset: 30, length: 10 })))).toBe('SHORT_READ');
    });

    it('stats files and reports NOT_FOUND for missing ones', async () => {
      const h = contentHandle('snapshot', '12345');
      await b.save(h, bytes('12345'));
      expect(await b.stat(h)).toEqual({ name: h.name, size: 5 });
      const missing = { type: 'snapshot' as const, name: nameOf('missing') };
      expect(await codeOf(b.stat(missing))).toBe('NOT_FOUND');
      expect(await codeOf(b.load(missing))).toBe('NOT_FOUND');
      expect(await codeOf(collect(b.stream(missing)))).toBe('NOT_FOUND');
      expect(await codeOf(b.remove(missing))).toBe('NOT_FOUND');
      expect(await codeOf(b.load({ type: 'config', name: '' }))).toBe('NOT_FOUND');
    });

    it('lists the files of one type with their sizes, and nothing of the others', async () => {
      const names = [0, 1, 2, 3].map((i) => contentHandle('data', new Uint8Array(i * 10)).name);
      for (const [i, n] of names.entries()) await b.save({ type: 'data', name: n }, new Uint8Array(i * 10));
      await b.save(contentHandle('index', 'x'), bytes('x'));
      expect(await listAll(b, 'data')).toEqual(names.map((n, i) => ({ name: n, size: i * 10 })).sort((a, c) => a.name.localeCompare(c.name)));
      expect(await listAll(b, 'index')).toEqual([{ name: contentHandle('index', 'x').name, size: 1 }]);
      expect(await listAll(b, 'key')).toEqual([]);
    });

    it('removes files', async () => {
      const h = contentHandle('key', 'k');
      await b.save(h, bytes('k'));
      await b.remove(h);
      expect(await codeOf(b.stat(h))).toBe('NOT_FOUND');
      expect(await listAll(b, 'key')).toEqual([]);
      expect(await codeOf(b.remove(h))).toBe('NOT_FOUND');
      await b.save(h, bytes('k'));
      expect(Buffer.from(await b.load(h)).toString()).toBe('k');
    });

    it('refuses to overwrite an existing file and keeps the original', async () => {
      const h = contentHandle('data', 'first');
      await b.save(h, bytes('first'));
      expect(await codeOf(b.save(h, bytes('first')))).toBe('ALREADY_EXISTS');
      async function* streamed(): AsyncGenerator<Uint8Array> {
        yield bytes('fir');
        yield bytes('st');
      }
      expect(await codeOf(b.save(h, streamed()))).toBe('ALREADY_EXISTS');
      expect(Buffer.from(await b.load(h)).toString()).toBe('first');
      const s = contentHandle('snapshot', 'snap');
      await b.save(s, bytes('snap'));
      expect(await codeOf(b.save(s, bytes('snap')))).toBe('ALREADY_EXISTS');
    });

    it('is atomic: a save whose source fails leaves nothing, and an unfinished save is invisible', async () => {
      const h = contentHandle('data', Buffer.concat([new Uint8Array(4096).fill(3), new Uint8Array(4096).fill(4)]));
      async function* failing(): AsyncGenerator<Uint8Array> {
        yield new Uint8Array(1000).fill(1);
        yield new Uint8Array(1000).fill(2);
        throw new Error('source failed on purpose');
      }
      await expect(b.save(h, failing())).rejects.toThrow();
      expect(await codeOf(b.stat(h))).toBe('NOT_FOUND');
      expect(await listAll(b, 'data')).toEqual([]);

      let release!: () => void;
      const gate = new Promise<void>((r) => (release = r));
      let sent!: () => void;
      const firstSent = new Promise<void>((r) => (sent = r));
      async function* paused(): AsyncGenerator<Uint8Array> {
        yield new Uint8Array(4096).fill(3);
        sent();
        await gate;
        yield new Uint8Array(4096).fill(4);
      }
      const saving = b.save(h, paused());
      await firstSent;
      expect(await codeOf(b.stat(h))).toBe('NOT_FOUND');
      expect((await listAll(b, 'data')).map((f) => f.name)).not.toContain(h.name);
      release();
      await saving;
      expect((await b.stat(h)).size).toBe(8192);
    });

    it('streams a large file (> 32 MiB) in and out', async () => {
      const size = opts.largeSize ?? 40 * 1024 * 1024 + 123;
      const want = createHash('sha256');
      for await (const c of pseudoRandomChunks(7, size)) want.update(c);
      const wantHex = want.digest('hex');
      const h = { type: 'data' as const, name: wantHex };
      await b.save(h, pseudoRandomChunks(7, size));
      expect((await b.stat(h)).size).toBe(size);
      const got = createHash('sha256');
      let chunks = 0;
      let largest = 0;
      for await (const c of b.stream(h)) {
        got.update(c);
        chunks++;
        largest = Math.max(largest, c.byteLength);
      }
      expect(got.digest('hex')).toBe(wantHex);
      expect(chunks).toBeGreaterThan(1);
      expect(largest).toBeLessThan(size);
      const tail = await b.load(h, { offset: size - 100, length: 100 });
      let last = new Uint8Array(0);
      for await (const c of pseudoRandomChunks(7, size)) last = Buffer.concat([last, c]).subarray(-100);
      expect(Buffer.from(tail).equals(Buffer.from(last))).toBe(true);
    });

    it('refuses invalid names with INVALID_NAME', async () => {
      const bad: Handle[] = [
        { type: 'data', name: 'abc' },
        { type: 'data', name: nameOf('x').toUpperCase() },
        { type: 'data', name: `../${nameOf('x').slice(3)}` },
        { type: 'index', name: `${nameOf('x')}0` },
        { type: 'key', name: '' },
        { type: 'snapshot', name: `..%2F${nameOf('x').slice(5)}` },
        { type: 'config', name: 'config' },
      ];
      for (const h of bad) {
        expect(await codeOf(b.save(h, bytes('x'))), `save ${h.type}/${h.name}`).toBe('INVALID_NAME');
        expect(await codeOf(b.load(h)), `load ${h.name}`).toBe('INVALID_NAME');
        expect(await codeOf(b.stat(h)), `stat ${h.name}`).toBe('INVALID_NAME');
        expect(await codeOf(b.remove(h)), `remove ${h.name}`).toBe('INVALID_NAME');
      }
    });

    it('creates idempotently', async () => {
      const h = contentHandle('data', 'kept');
      await b.save(h, bytes('kept'));
      await b.create();
      expect(Buffer.from(await b.load(h)).toString()).toBe('kept');
    });
  });
}
