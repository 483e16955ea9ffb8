/**
 * What `memory: 'quarter'` allocates: ROMix's V as a quarter of 128·N·r bytes (in a WebAssembly
 * memory where the engine has SIMD, as on amd64; else one large block), and never OpenSSL's scrypt
 * (which would allocate all of it).
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

const wasmPages: number[] = [];
const RealMemory = WebAssembly.Memory;
vi.spyOn(WebAssembly, 'Memory').mockImplementation(function (d: WebAssembly.MemoryDescriptor) {
  wasmPages.push(d.initial);
  return new RealMemory(d);
} as unknown as typeof WebAssembly.Memory);

const { deriveUserKey } = await import('./kdf.js');
const { scryptWasmUsable } = await import('./scrypt-wasm.js');

describe("deriveUserKey's working memory", () => {
  it("keeps a quarter of ROMix's blocks with 'quarter' (in WebAssembly on amd64), all of them (OpenSSL at N=32768) with 'full'", async () => {
    const salt = new Uint8Array(64).fill(3);
    const usable = scryptWasmUsable();
    if (process.arch === 'x64') expect(usable).toBe(true);
    const allocated = (): number[] => (usable ? wasmPages.map((p) => p * 65536) : sizes);
    sizes.length = 0;
    wasmPages.length = 0;
    opensslCalls.length = 0;
    await deriveUserKey({ password: 'pw', salt, params: { N: 32768, r: 8, p: 1 }, memory: 'quarter' });
    // V, plus four blocks of scratch in the WebAssembly memory (whole 64 KiB pages).
    expect(allocated()).toEqual([usable ? (128 * 8 * 32768) / 4 + 65536 : (128 * 8 * 32768) / 4]);
    expect(usable ? sizes : wasmPages).toEqual([]);
    expect(opensslCalls).toHaveLength(0);
    await deriveUserKey({ password: 'pw', salt, params: { N: 32768, r: 8, p: 1 }, memory: 'full' });
    expect(allocated()).toHaveLength(1);
    expect(opensslCalls).toHaveLength(1);
    await deriveUserKey({ password: 'pw', salt, params: { N: 1024, r: 8, p: 1 }, memory: 'quarter' });
    expect(allocated().at(-1)).toBe(usable ? 65536 * Math.ceil((4 * 1024 + (128 * 8 * 1024) / 4) / 65536) : (128 * 8 * 1024) / 4);
  });
});
