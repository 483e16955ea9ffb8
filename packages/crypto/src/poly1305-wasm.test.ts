import { randomBytes } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { poly1305 } from '@noble/ciphers/_poly1305.js';
import { WasmPoly1305, poly1305Into } from './poly1305-wasm.js';
import { pseudoRandomBytes } from './crypto.test-util.js';

const hex = (b: Uint8Array) => Buffer.from(b).toString('hex');
const mac = (key: Uint8Array, msg: Uint8Array, step = msg.length || 1) => {
  const m = new WasmPoly1305(key);
  for (let i = 0; i < msg.length; i += step) m.update(msg.subarray(i, i + step));
  return hex(m.digest());
};

describe('WasmPoly1305', () => {
  it('gives the RFC 8439 §2.5.2 and appendix A.3 answers', () => {
    const key = Buffer.from('85d6be7857556d337f4452fe42d506a80103808afb0db2fd4abff6af4149f51b', 'hex');
    expect(mac(key, Buffer.from('Cryptographic Forum Research Group'))).toBe('a8061dc1305136c6c22b8baf0c0127a9');
    // A.3 #1: zero key, 64 zero bytes -> zero tag
    expect(mac(new Uint8Array(32), new Uint8Array(64))).toBe('00000000000000000000000000000000');
    // A.3 #6: h reaches p exactly; r = 2, s = 0, m = ff..ff -> tag 03 00..
    const k6 = new Uint8Array(32);
    k6[0] = 2;
    expect(mac(k6, new Uint8Array(16).fill(0xff))).toBe('03000000000000000000000000000000');
    // A.3 #7: r = 1, s = 0, m = ff..ff ‖ f0 ff.. ‖ 11 00.. -> 05 00..
    const k7 = new Uint8Array(32);
    k7[0] = 1;
    const m7 = Buffer.from('ffffffffffffffffffffffffffffffff' + 'f0ffffffffffffffffffffffffffffff' + '11000000000000000000000000000000', 'hex');
    expect(mac(k7, m7)).toBe('05000000000000000000000000000000');
  });

  it('agrees with @noble/ciphers for random keys, lengths and update splits', () => {
    for (let n = 0; n < 200; n++) {
      const key = randomBytes(32);
      const msg = randomBytes((n * 97) % 3000);
      const expected = hex(poly1305(msg, key));
      for (const step of [1, 15, 16, 17, 100, 70_000]) expect(mac(key, msg, step)).toBe(expected);
    }
  });

  it('agrees with @noble/ciphers where carries are worst (all-ones keys and messages) and beyond one 64 KiB slice', () => {
    for (const key of [new Uint8Array(32).fill(0xff), pseudoRandomBytes(32, 9)]) {
      for (const msg of [new Uint8Array(200_003).fill(0xff), pseudoRandomBytes(150_000, 4)]) {
        expect(mac(key, msg)).toBe(hex(poly1305(msg, key)));
      }
    }
  });

  it('agrees with @noble/ciphers for every length from 0 to 300 bytes (the two-block SIMD loop starts at four blocks; odd counts end in the one-block loop)', () => {
    const ones = new Uint8Array(32).fill(0xff);
    const onesMsg = new Uint8Array(300).fill(0xff);
    const key = pseudoRandomBytes(32, 5);
    const msg = pseudoRandomBytes(300, 6);
    for (let len = 0; len <= 300; len++) {
      expect(mac(ones, onesMsg.subarray(0, len))).toBe(hex(poly1305(onesMsg.subarray(0, len), ones)));
      expect(mac(key, msg.subarray(0, len))).toBe(hex(poly1305(msg.subarray(0, len), key)));
      // Split so that the first update leaves an odd number of blocks behind it.
      expect(mac(key, msg.subarray(0, len), 48)).toBe(hex(poly1305(msg.subarray(0, len), key)));
    }
  });

  it('keeps MACs in flight independent (shared scratch memory)', () => {
    const k1 = pseudoRandomBytes(32, 1);
    const k2 = pseudoRandomBytes(32, 2);
    const m = pseudoRandomBytes(5000, 3);
    const a = new WasmPoly1305(k1);
    const b = new WasmPoly1305(k2);
    for (let i = 0; i < m.length; i += 333) {
      a.update(m.subarray(i, i + 333));
      b.update(m.subarray(i, i + 333));
    }
    expect(hex(a.digest())).toBe(hex(poly1305(m, k1)));
    expect(hex(b.digest())).toBe(hex(poly1305(m, k2)));
  });
});

describe('poly1305Into', () => {
  it('agrees with @noble/ciphers for random keys and lengths, with s and the tag at offsets, across 64 KiB slices', () => {
    for (let n = 0; n < 200; n++) {
      const key = randomBytes(32);
      const msg = randomBytes(n === 199 ? 140_001 : (n * 97) % 3000);
      const sHolder = new Uint8Array(40);
      sHolder.set(key.subarray(16), 7);
      const out = new Uint8Array(48).fill(0xaa);
      poly1305Into(key.subarray(0, 16), sHolder, 7, msg, out, 20);
      expect(hex(out.subarray(20, 36))).toBe(hex(poly1305(msg, key)));
      expect(out[19]).toBe(0xaa);
      expect(out[36]).toBe(0xaa);
      // The same message as a range of a larger buffer.
      const around = new Uint8Array(msg.length + 50).fill(0x5a);
      around.set(msg, 21);
      const tag = new Uint8Array(16);
      poly1305Into(key.subarray(0, 16), sHolder, 7, around, tag, 0, 21, 21 + msg.length);
      expect(hex(tag)).toBe(hex(poly1305(msg, key)));
    }
  });
});
