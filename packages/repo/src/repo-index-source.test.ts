/**
 * createIndexSource reads index files 64 KiB at a time into one reused buffer (glibc keeps freed
 * read buffers resident, STRATEGIES.md), whatever the backend's chunk size, and the plaintext is
 * unchanged.
 */
import { randomBytes } from 'node:crypto';
import { afterAll, describe, expect, it } from 'vitest';
import { LocalBackend, type Handle, type LoadOptions } from '@highwater/backend';
import { generateMasterKey, sha256 } from '@highwater/crypto';
import { idToHex } from './ids.js';
import { createIndexSource } from './repo-index-source.js';
import { tempDir } from './repo.test-util.js';
import { encodeUnpacked } from './unpacked.js';

const dir = tempDir('hw-index-source-');
afterAll(() => dir.remove());

class CountingBackend extends LocalBackend {
  largest = 0;
  calls = 0;
  chunks = 0;
  readonly buffers = new Set<ArrayBufferLike>();
  override async *stream(h: Handle, opts?: LoadOptions): AsyncIterable<Uint8Array> {
    this.calls++;
    for await (const c of super.stream(h, opts)) {
      this.largest = Math.max(this.largest, c.length);
      this.chunks++;
      this.buffers.add(c.buffer);
      yield c;
    }
  }
}

describe('createIndexSource', () => {
  it('streams a 1 MB index file in reads of at most 64 KiB into one buffer, plaintext intact (1 MiB backend chunks)', async () => {
    const backend = new CountingBackend({ path: dir.path, chunkSize: 1 << 20 });
    await backend.create();
    const key = generateMasterKey();
    // Version 1 (not compressed): the stored file is ~1.2 MB, more than one backend chunk.
    const plaintext = Buffer.from(JSON.stringify({ packs: [], pad: randomBytes(600_000).toString('hex') }));
    const sealed = encodeUnpacked({ key, version: 1, type: 'index', plaintext });
    const name = idToHex(sha256(sealed));
    await backend.save({ type: 'index', name }, sealed);
    const source = createIndexSource({ backend, key, version: 1 });
    const parts: Uint8Array[] = [];
    for await (const c of source.plaintext(name)) parts.push(c);
    expect(Buffer.concat(parts).equals(plaintext)).toBe(true);
    expect(backend.largest).toBeLessThanOrEqual(64 * 1024);
    expect(backend.calls).toBe(1);
    expect(backend.chunks).toBe(Math.ceil(sealed.length / (64 * 1024)));
    // Every chunk was read into the same buffer: nothing allocated per chunk.
    expect(backend.buffers.size).toBe(1);
  });
});
