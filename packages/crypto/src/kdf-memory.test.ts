/**
 * What `memory: 'quarter'` allocates: ROMix's V as one large block of a quarter of 128·N·r bytes,
 * and never OpenSSL's scrypt (which would allocate all of it).
 */
import { describe, expect, it, vi } from 'vitest';

const sizes: number[] = [];
vi.mock('@highwater/probe', async (importOriginal) => {
  const real = await importOriginal<typeof import('@highwater/probe')>();
  return { ...real, largeBlock: (size: number) => (sizes.push(size), real.largeBlock(size)) };
});
const opensslCalls: unknown[] = [];
vi.mock('node:crypto', async (importOriginal) => {
  const real = await importOriginal<typeof import('node:crypto')>();
  return { ...real, scrypt: (...args: Parameters<typeof real.scrypt>) => (opensslCalls.push(args[3]), real.scrypt(...args)) };
});

const { deriveUserKey } = await import('./kdf.js');

describe("deriveUserKey's working memory", () => {
  it("keeps a quarter of ROMix's blocks with 'quarter', all of them (OpenSSL at N=32768) with 'full'", async () => {
    const salt = new Uint8Array(64).fill(3);
    sizes.length = 0;
    opensslCalls.length = 0;
    await deriveUserKey({ password: 'pw', salt, params: { N: 32768, r: 8, p: 1 }, memory: 'quarter' });
    expect(sizes).toEqual([(128 * 8 * 32768) / 4]);
    expect(opensslCalls).toHaveLength(0);
    await deriveUserKey({ password: 'pw', salt, params: { N: 32768, r: 8, p: 1 }, memory: 'full' });
    expect(sizes).toHaveLength(1);
    expect(opensslCalls).toHaveLength(1);
    await deriveUserKey({ password: 'pw', salt, params: { N: 1024, r: 8, p: 1 }, memory: 'quarter' });
    expect(sizes.at(-1)).toBe((128 * 8 * 1024) / 4);
  });
});
