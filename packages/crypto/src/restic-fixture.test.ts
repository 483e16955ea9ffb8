/** Known answers from a repository made by restic 0.14 (fixtures/restic/README.md). */
import { describe, expect, it } from 'vitest';
import { CryptoError, open, openKeyFile, openStream, sha256 } from '@highwater/crypto';
import { FIXTURE_PASSWORD, readExpected, readRepoFile } from './crypto.test-util.js';

const hex = (b: Uint8Array) => Buffer.from(b).toString('hex');
const text = (b: Uint8Array) => Buffer.from(b).toString('utf8');
const masterKey = openKeyFile(readRepoFile('keys').bytes, FIXTURE_PASSWORD);

describe('restic-made repository v1', () => {
  it('names every file by the SHA-256 of its bytes', () => {
    for (const dir of ['keys', 'snapshots', 'index', 'data/cc', 'data/e6']) {
      const file = readRepoFile(dir);
      expect(hex(sha256(file.bytes))).toBe(file.name);
    }
  });

  it('opens config, snapshot and index to the JSON restic cat prints', async () => {
    const key = await masterKey;
    expect(JSON.parse(text(open(key, readRepoFile('.', 'config').bytes)))).toEqual(readExpected('config'));
    expect(JSON.parse(text(open(key, readRepoFile('snapshots').bytes)))).toEqual(readExpected('snapshot'));
    expect(JSON.parse(text(open(key, readRepoFile('index').bytes)))).toEqual(readExpected('index'));
  });

  it('opens the index streamed in 7-byte pieces to the same JSON', async () => {
    const key = await masterKey;
    const sealed = readRepoFile('index').bytes;
    const pieces = Array.from({ length: Math.ceil(sealed.length / 7) }, (_, i) => sealed.subarray(i * 7, i * 7 + 7));
    const parts: Uint8Array[] = [];
    for await (const part of openStream(key, pieces)) parts.push(part);
    expect(JSON.parse(Buffer.concat(parts).toString('utf8'))).toEqual(readExpected('index'));
  });

  it('opens the data blob and the header of a pack: blob id = SHA-256 of the plaintext', async () => {
    const key = await masterKey;
    const pack = readRepoFile('data/cc').bytes;
    const index = readExpected('index') as { packs: Array<{ id: string; blobs: Array<{ id: string; offset: number; length: number }> }> };
    const entry = index.packs.find((p) => p.id.startsWith('cc'))!.blobs[0]!;
    const blob = open(key, pack.subarray(entry.offset, entry.offset + entry.length));
    expect(text(blob)).toBe('hello highwater\n');
    expect(hex(sha256(blob))).toBe(entry.id);
    // Pack header (design.rst, "Pack Format"): sealed header ‖ uint32le header length.
    const headerLength = Buffer.from(pack).readUInt32LE(pack.length - 4);
    const header = open(key, pack.subarray(pack.length - 4 - headerLength, pack.length - 4));
    // v1 entry: type (1 byte, 0 = data) ‖ length uint32le ‖ id (32 bytes).
    expect(header.length).toBe(37);
    expect(header[0]).toBe(0);
    expect(Buffer.from(header).readUInt32LE(1)).toBe(entry.length);
    expect(hex(header.subarray(5))).toBe(entry.id);
  });

  it('refuses a restic-made index with one flipped byte, whole and streamed, naming it', async () => {
    const key = await masterKey;
    const file = readRepoFile('index');
    for (const pos of [3, 100, file.bytes.length - 1]) {
      const bad = file.bytes.slice();
      bad[pos]! ^= 0x10;
      expect(() => open(key, bad, { name: `index/${file.name}` })).toThrow(`index/${file.name}: ciphertext verification failed`);
      let error: unknown;
      try {
        for await (const _ of openStream(key, [bad.subarray(0, 200), bad.subarray(200)])) void _;
      } catch (err) {
        error = err;
      }
      expect((error as CryptoError).code).toBe('MAC_MISMATCH');
    }
  });
});
