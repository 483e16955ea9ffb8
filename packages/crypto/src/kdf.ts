/**
 * scrypt, the KDF of restic key files (design.rst, "Keys, Encryption and MAC"; restic
 * internal/crypto/kdf.go): scrypt(password, salt, N, r, p) -> 64 bytes = encrypt 32 ‖ mac.k 16 ‖
 * mac.r 16. The salt is 64 bytes.
 *
 * node:crypto.scrypt (OpenSSL, on the libuv thread pool, so the event loop keeps running): ~100 ms
 * for N=32768, r=8, p=1 on amd64 against ~135-390 ms for @noble/hashes (README). Memory: 128·N·r bytes
 * while it runs (32 MiB at the defaults); parameters needing more than MAX_SCRYPT_MEMORY are
 * refused instead of letting a hostile key file exhaust memory.
 * Parameters for which OpenSSL's one allocation would be at most glibc's DEFAULT_MMAP_THRESHOLD_MAX
 * (N <= 16384 at r=8 on 64-bit) go to scrypt-js.ts instead, on the main thread: freeing that
 * allocation would raise glibc's thresholds for the rest of the process (scrypt-js.ts says why).
 * With `memory: 'quarter'` (the packed and paged strategies) scrypt-js.ts runs at any N, keeping a
 * quarter of ROMix's blocks: 8 MiB at the defaults. Its BlockMix runs in WebAssembly SIMD where the
 * engine has it (scrypt-wasm.ts; then faster than OpenSSL's full run here), else in JavaScript
 * (~1.7x the time of the JavaScript full run).
 */
import { scrypt } from 'node:crypto';
import { MMAP_THRESHOLD_MAX } from '@highwater/probe';
import { opensslScryptAllocation, scryptJs, scryptJsUsable } from './scrypt-js.js';
import { CryptoError } from './errors.js';
import { makeMasterKey, type MasterKey } from './master-key.js';

/**
 * scrypt's working memory: `full` = 128·N·r bytes (OpenSSL for large N, as restic); `quarter` = a
 * quarter of that, in JavaScript, ROMix keeping every 4th block and recomputing the others
 * (scrypt-js.ts: its second loop costs 2.5 times as much). Same key either way.
 */
export type KdfMemory = 'full' | 'quarter';
const QUARTER_STRIDE = 4;

export interface KdfParams {
  N: number;
  r: number;
  p: number;
}

/** restic's defaults (simple-scrypt's DefaultParams); restic calibrates new keys upwards from these. */
export const DEFAULT_KDF_PARAMS: Readonly<KdfParams> = Object.freeze({ N: 32768, r: 8, p: 1 });
export const SALT_SIZE = 64;
/** Upper bound on scrypt's working memory (128·N·r·p-ish), 1 GiB. */
export const MAX_SCRYPT_MEMORY = 1 << 30;

function scryptMemory(params: KdfParams): number {
  return 128 * params.N * params.r + 128 * params.r * params.p + 1024;
}

/** Why these parameters cannot be used, or undefined when they are fine. */
export function kdfParamsProblem(params: KdfParams): string | undefined {
  const { N, r, p } = params;
  if (!Number.isSafeInteger(N) || N < 2 || (N & (N - 1)) !== 0 || N > 2 ** 30) {
    return `scrypt N must be a power of two between 2 and 2^30, got ${String(N)}`;
  }
  if (!Number.isSafeInteger(r) || r < 1) return `scrypt r must be a positive integer, got ${String(r)}`;
  if (!Number.isSafeInteger(p) || p < 1) return `scrypt p must be a positive integer, got ${String(p)}`;
  if (r * p >= 2 ** 30) return `scrypt r·p must be below 2^30, got ${r * p}`;
  const memory = scryptMemory(params);
  if (memory > MAX_SCRYPT_MEMORY) {
    return `scrypt N=${N}, r=${r}, p=${p} needs ${Math.ceil(memory / 2 ** 20)} MiB, more than the ${MAX_SCRYPT_MEMORY / 2 ** 20} MiB allowed`;
  }
  return undefined;
}

/** Whether deriveUserKey computes scrypt in JavaScript for these (valid) parameters. */
export function inJs(N: number, r: number, p: number): boolean {
  return scryptJsUsable() && opensslScryptAllocation(N, r, p) <= MMAP_THRESHOLD_MAX;
}

/**
 * The user key of a key file: scrypt output split as restic does. Throws RangeError on unusable
 * parameters (callers that read them from a file check with kdfParamsProblem first).
 */
export async function deriveUserKey(options: {
  password: string | Uint8Array;
  salt: Uint8Array;
  params: KdfParams;
  memory?: KdfMemory;
}): Promise<MasterKey> {
  const problem = kdfParamsProblem(options.params);
  if (problem) throw new RangeError(problem);
  if (!(options.salt instanceof Uint8Array) || options.salt.length !== SALT_SIZE) {
    throw new RangeError(`expected a ${SALT_SIZE}-byte salt, got ${options.salt?.length ?? typeof options.salt}`);
  }
  const { N, r, p } = options.params;
  const stride = options.memory === 'quarter' && N >= QUARTER_STRIDE && scryptJsUsable() ? QUARTER_STRIDE : 1;
  const derived = stride > 1 || inJs(N, r, p) ? scryptJs(options.password, options.salt, N, r, p, 64, stride) : await new Promise<Buffer>((resolve, reject) => {
    scrypt(options.password, options.salt, 64, { N, r, p, maxmem: scryptMemory(options.params) + (1 << 20) }, (err, key) =>
      err ? reject(new CryptoError('BAD_KEY_FILE', `scrypt failed: ${err.message}`, { cause: err })) : resolve(key),
    );
  });
  return makeMasterKey({ encrypt: derived.subarray(0, 32), macK: derived.subarray(32, 48), macR: derived.subarray(48, 64) });
}
