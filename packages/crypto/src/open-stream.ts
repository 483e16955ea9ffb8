/**
 * Streaming open for objects too big to hold twice (large index files): decrypts as the sealed
 * bytes arrive and checks the MAC at the end.
 *
 * CONTRACT: the plaintext yielded before the stream ends is NOT authenticated yet. A consumer
 * MUST NOT commit anything it derived from it (write an index entry, delete a file, print a
 * result) until the iteration has finished without throwing: a wrong MAC is only known after
 * the last byte, and is thrown then as CryptoError MAC_MISMATCH.
 *
 * Memory: the 16-byte IV and the last 16 bytes (the candidate MAC) are held back; each input
 * chunk yields one plaintext chunk of about its size. Input chunks may be reused by the source
 * once the next one is requested: nothing is kept by reference except the held-back tail, which
 * is copied.
 */
import { createDecipheriv } from 'node:crypto';
import { timingSafeEqual } from 'node:crypto';
import { CryptoError, expectBytes } from './errors.js';
import type { MasterKey } from './master-key.js';
import { IV_SIZE, MAC_SIZE, createPoly1305Aes, type Mac } from './poly1305-aes.js';
import type { OpenOptions } from './seal.js';
import { SEAL_OVERHEAD } from './seal.js';

function isZero(bytes: Uint8Array): boolean {
  for (let i = 0; i < bytes.length; i++) if (bytes[i] !== 0) return false;
  return true;
}

export async function* openStream(
  key: MasterKey,
  chunks: AsyncIterable<Uint8Array> | Iterable<Uint8Array>,
  options?: OpenOptions,
): AsyncIterable<Uint8Array> {
  const subject = options?.name;
  // Bytes not yet passed on: first the IV, then always the last MAC_SIZE bytes seen.
  const held = new Uint8Array(IV_SIZE + MAC_SIZE);
  let heldLength = 0;
  let total = 0;
  let mac: Mac | undefined;
  let decipher: ReturnType<typeof createDecipheriv> | undefined;

  for await (const chunk of chunks) {
    expectBytes(chunk, 'chunk');
    total += chunk.length;
    let input = chunk;
    if (!decipher) {
      const take = Math.min(IV_SIZE - heldLength, input.length);
      held.set(input.subarray(0, take), heldLength);
      heldLength += take;
      input = input.subarray(take);
      if (heldLength < IV_SIZE) continue;
      const nonce = held.slice(0, IV_SIZE);
      if (isZero(nonce)) throw new CryptoError('INVALID_NONCE', 'encrypted data has an all-zero IV', { subject });
      decipher = createDecipheriv('aes-256-ctr', key.encrypt, nonce);
      mac = createPoly1305Aes(key, nonce);
      heldLength = 0;
    }
    // Ciphertext now = held tail ‖ input; everything but its last MAC_SIZE bytes can go on.
    const available = heldLength + input.length;
    if (available <= MAC_SIZE) {
      held.set(input, heldLength);
      heldLength = available;
      continue;
    }
    const release = available - MAC_SIZE;
    const fromHeld = Math.min(heldLength, release);
    const fromInput = release - fromHeld;
    const out: Uint8Array[] = [];
    if (fromHeld > 0) {
      const part = held.slice(0, fromHeld);
      mac!.update(part);
      out.push(decipher.update(part));
    }
    if (fromInput > 0) {
      const part = input.subarray(0, fromInput);
      mac!.update(part);
      out.push(decipher.update(part));
    }
    // New tail: what is left of held, then the rest of input.
    held.copyWithin(0, fromHeld, heldLength);
    const keptHeld = heldLength - fromHeld;
    held.set(input.subarray(fromInput), keptHeld);
    heldLength = keptHeld + input.length - fromInput;
    for (const plain of out) {
      if (plain.length > 0) yield new Uint8Array(plain.buffer, plain.byteOffset, plain.byteLength);
    }
  }
  if (!decipher || heldLength < MAC_SIZE) {
    throw new CryptoError('CIPHERTEXT_TOO_SHORT', `encrypted data is ${total} bytes, less than IV + MAC (${SEAL_OVERHEAD})`, { subject });
  }
  if (!timingSafeEqual(mac!.digest(), held.subarray(0, MAC_SIZE))) {
    throw new CryptoError('MAC_MISMATCH', 'ciphertext verification failed (MAC mismatch): wrong key or damaged data', { subject });
  }
}
