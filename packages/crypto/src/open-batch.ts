/**
 * openBatch: many sealed objects lying in one buffer (the blobs of a pack window, as check
 * --read-data reads them), each verified and decrypted as openInto does it, with the AES work of
 * all of them in two node:crypto calls: one AES-128-ECB call for every object's Poly1305
 * s = AES_k(IV), one AES-256-ECB call over the CTR counter blocks of all. A node:crypto call costs
 * ~1.5 us whatever its size and openInto makes two per object: a quarter of check --read-data's
 * time per 1 KiB blob. Objects of any size are accepted; the caller bounds the batch's bytes. An
 * object with more than CTR_IN_BATCH bytes of ciphertext is decrypted by its own native AES-CTR
 * instead: making its counter blocks here (~0.6 ms per MiB) would cost more than setting one up.
 *
 * Memory: the batch's IVs, counter blocks and keystream (about its ciphertext bytes), kept and grown
 * per thread; nothing per object.
 */
import { createDecipheriv } from 'node:crypto';
import { keyCiphers, writeCounterBlocks } from './key-ciphers.js';
import type { MasterKey } from './master-key.js';
import { IV_SIZE, MAC_SIZE } from './poly1305-aes.js';
import { poly1305Into } from './poly1305-wasm.js';

const OVERHEAD = IV_SIZE + MAC_SIZE;
/** Ciphertext bytes up to which an object's keystream comes from the batch's one ECB call. */
const CTR_IN_BATCH = 16 * 1024;
/** Slice of the native AES-CTR path (as seal.ts: keeps node:crypto's temporary output small). */
const SLICE = 256 * 1024;

// Reused from batch to batch (a thread runs one call at a time).
let ivs: Uint8Array = new Uint8Array(16 * 1024);
let counters: Uint8Array = new Uint8Array(64 * 1024);
const tag = new Uint8Array(16);

function grown(buf: Uint8Array, n: number): Uint8Array {
  return buf.length >= n ? buf : new Uint8Array(Math.max(n, 2 * buf.length));
}

/** Bytes `out` needs for the plaintexts of objects of these lengths (each placed at a multiple of 4). */
export function openBatchSpace(lengths: ArrayLike<number>, count: number): number {
  let n = 0;
  for (let i = 0; i < count; i++) n += (Math.max(0, lengths[i]! - OVERHEAD) + 3) & ~3;
  return n;
}

/**
 * Objects i < count are src[at[i], at[i] + len[i]): IV ‖ ciphertext ‖ MAC. For each, `ok[i]` is 1
 * when it is well formed (at least 32 bytes, a non-zero IV) and its MAC matches, else 0; the
 * plaintext of each ok object is written to out[outAt[i], outAt[i] + len[i] - 32) (outAt is set here:
 * consecutive, each a multiple of 4). Nothing is written for an object that is not ok: the caller
 * names its fault with `open`. `out` MUST hold openBatchSpace(len, count) bytes and MUST NOT overlap `src`.
 */
export function openBatch(
  key: MasterKey,
  src: Uint8Array,
  at: ArrayLike<number>,
  len: ArrayLike<number>,
  count: number,
  out: Uint8Array,
  outAt: Uint32Array,
  ok: Uint8Array,
): void {
  if (out.length < openBatchSpace(len, count)) throw new RangeError(`expected an output buffer of at least ${openBatchSpace(len, count)} bytes, got ${out.length}`);
  if (outAt.length < count || ok.length < count) throw new RangeError(`expected outAt and ok to hold ${count} entries`);
  const ciphers = keyCiphers(key);
  // 1. Every IV through AES-128 under the MAC key: the Poly1305 s values, in one call.
  ivs = grown(ivs, 16 * count);
  for (let i = 0; i < count; i++) {
    const a = at[i]!;
    if (len[i]! >= OVERHEAD) for (let k = 0; k < IV_SIZE; k++) ivs[16 * i + k] = src[a + k]!;
  }
  const s = ciphers.ecb128.update(ivs.subarray(0, 16 * count));
  // 2. Shape and MAC of each; the counter blocks of those that pass.
  let blocks = 0;
  let place = 0;
  for (let i = 0; i < count; i++) {
    const a = at[i]!;
    const n = len[i]! - OVERHEAD;
    ok[i] = 0;
    outAt[i] = place;
    if (n < 0) continue;
    let zero = true;
    for (let j = 0; j < IV_SIZE && zero; j++) zero = src[a + j] === 0;
    if (zero) continue;
    poly1305Into(key.macR, s, 16 * i, src, tag, 0, a + IV_SIZE, a + IV_SIZE + n);
    let diff = 0;
    for (let j = 0; j < MAC_SIZE; j++) diff |= tag[j]! ^ src[a + IV_SIZE + n + j]!;
    if (diff !== 0) continue;
    ok[i] = 1;
    place += (n + 3) & ~3;
    if (n <= CTR_IN_BATCH) blocks += Math.ceil(n / 16);
    else {
      const decipher = createDecipheriv('aes-256-ctr', key.encrypt, src.subarray(a, a + IV_SIZE));
      for (let pos = 0; pos < n; pos += SLICE) {
        out.set(decipher.update(src.subarray(a + IV_SIZE + pos, a + IV_SIZE + Math.min(n, pos + SLICE))), outAt[i]! + pos);
      }
    }
  }
  if (blocks === 0) return;
  counters = grown(counters, 16 * blocks);
  const cv = new DataView(counters.buffer, counters.byteOffset, 16 * blocks);
  const iv = new DataView(src.buffer, src.byteOffset, src.length);
  let b = 0;
  for (let i = 0; i < count; i++) {
    if (ok[i] === 0 || len[i]! - OVERHEAD > CTR_IN_BATCH) continue;
    const objectBlocks = Math.ceil((len[i]! - OVERHEAD) / 16);
    writeCounterBlocks(cv, 16 * b, iv, at[i]!, objectBlocks);
    b += objectBlocks;
  }
  // 3. One keystream for all, XORed onto each ciphertext where its plaintext goes.
  const stream = ciphers.ecb256.update(counters.subarray(0, 16 * blocks));
  const aligned = (out.byteOffset & 3) === 0 && (stream.byteOffset & 3) === 0;
  const o32 = aligned ? new Uint32Array(out.buffer, out.byteOffset, out.length >>> 2) : undefined;
  const s32 = aligned ? new Uint32Array(stream.buffer, stream.byteOffset, stream.length >>> 2) : undefined;
  let k0 = 0;
  for (let i = 0; i < count; i++) {
    if (ok[i] === 0 || len[i]! - OVERHEAD > CTR_IN_BATCH) continue;
    const a = at[i]!;
    const n = len[i]! - OVERHEAD;
    const p = outAt[i]!;
    out.set(src.subarray(a + IV_SIZE, a + IV_SIZE + n), p);
    let j = 0;
    if (o32 && s32) {
      const words = n >>> 2;
      const ow = p >>> 2;
      const sw = k0 >>> 2;
      for (let w = 0; w < words; w++) o32[ow + w] = o32[ow + w]! ^ s32[sw + w]!;
      j = words << 2;
    }
    for (; j < n; j++) out[p + j] = out[p + j]! ^ stream[k0 + j]!;
    k0 += 16 * Math.ceil(n / 16);
  }
}
