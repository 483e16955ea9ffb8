/**
 * The engine must run on arm under qemu-user (measurement.md): this runs the built package
 * (dist/, so build first) with the arm Node builds and checks seal/open, the WebAssembly
 * Poly1305, a restic key file and the JavaScript scrypt give the same answers there.
 */
import { execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { requirePeer, type PeerName } from '../../../scripts/peers.js';
import { makeMasterKey, seal } from '@highwater/crypto';
import { FIXTURE_PASSWORD, REPO_V1, pseudoRandomBytes, readExpected } from './crypto.test-util.js';

const ROOT = fileURLToPath(new URL('../../../', import.meta.url));
const DIST = `${ROOT}packages/crypto/dist/index.js`;
const SCRYPT_JS = `${ROOT}packages/crypto/dist/scrypt-js.js`;

const SCRIPT = `
import { readFileSync, readdirSync } from 'node:fs';
import { makeMasterKey, open, openKeyFile, seal, masterKeyToJson } from ${JSON.stringify(DIST)};
import { scryptJs } from ${JSON.stringify(SCRYPT_JS)};
import { scryptSync } from 'node:crypto';
const chunks = [];
for await (const c of process.stdin) chunks.push(c);
const [keyHex, ivHex, plainHex] = Buffer.concat(chunks).toString().split(' ');
const key = makeMasterKey({ encrypt: Buffer.from(keyHex.slice(0, 64), 'hex'), macK: Buffer.from(keyHex.slice(64, 96), 'hex'), macR: Buffer.from(keyHex.slice(96), 'hex') });
const sealed = seal(key, Buffer.from(plainHex, 'hex'), Buffer.from(ivHex, 'hex'));
const back = open(key, sealed);
const dir = ${JSON.stringify(`${REPO_V1}keys/`)};
const master = await openKeyFile(readFileSync(dir + readdirSync(dir)[0]), ${JSON.stringify(FIXTURE_PASSWORD)});
const config = JSON.parse(Buffer.from(open(master, readFileSync(${JSON.stringify(`${REPO_V1}config`)}))).toString());
const salt = new Uint8Array(64).map((_, i) => i * 3);
const scryptSame = Buffer.from(scryptJs('pw', salt, 1024, 8, 2, 64)).equals(scryptSync('pw', salt, 64, { N: 1024, r: 8, p: 2 }));
console.log(JSON.stringify({ arch: process.arch, scryptSame, sealed: Buffer.from(sealed).toString('hex'), back: Buffer.from(back).toString('hex'), master: masterKeyToJson(master), config }));
`;

const targets: Array<[PeerName, string, string]> = [
  ['qemu-armv7', 'qemu-arm', '/usr/arm-linux-gnueabihf'],
  ['qemu-arm64', 'qemu-aarch64', '/usr/aarch64-linux-gnu'],
];

for (const [peer, qemu, sysroot] of targets) {
  const available = requirePeer(peer);
  describe.skipIf(!available)(`crypto under ${peer}`, () => {
    it('seals, opens and reads a restic key file exactly as on this machine', () => {
      expect(existsSync(DIST), `build first: npx tsc -b packages/crypto (${DIST} is missing)`).toBe(true);
      const raw = pseudoRandomBytes(64, 77);
      const key = makeMasterKey({ encrypt: raw.subarray(0, 32), macK: raw.subarray(32, 48), macR: raw.subarray(48, 64) });
      const iv = pseudoRandomBytes(16, 78);
      const plain = pseudoRandomBytes(70_000, 79);
      const hex = (b: Uint8Array) => Buffer.from(b).toString('hex');
      const out = execFileSync(
        qemu,
        ['-L', sysroot, `${ROOT}.cache/arm/${peer === 'qemu-armv7' ? 'armv7' : 'arm64'}/bin/node`, '--input-type=module', '-e', SCRIPT],
        { input: `${hex(raw)} ${hex(iv)} ${hex(plain)}`, encoding: 'utf8', maxBuffer: 16 << 20, timeout: 240_000 },
      );
      const got = JSON.parse(out);
      expect(got.arch).toBe(peer === 'qemu-armv7' ? 'arm' : 'arm64');
      expect(got.sealed).toBe(hex(seal(key, plain, iv)));
      expect(got.back).toBe(hex(plain));
      expect(got.master).toEqual(readExpected('masterkey'));
      expect(got.config).toEqual(readExpected('config'));
      expect(got.scryptSame).toBe(true); // the JavaScript scrypt (kdf.ts uses it for small N) equals OpenSSL's there too
    }, 300_000);
  });
}
