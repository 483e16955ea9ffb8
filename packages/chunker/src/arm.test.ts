/**
 * The engine must run on arm under qemu-user (measurement.md): this runs the built package
 * (dist/, so build first) with the arm Node builds and checks that both scanners (WebAssembly
 * and JavaScript, whose 32-bit arithmetic is what differs on a 32-bit V8) cut where they cut here.
 */
import { execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { requirePeer, type PeerName } from '../../../scripts/peers.js';
import { chunkBoundaries } from '@highwater/chunker';
import { TEST_POL, seededBytes } from './chunker.test-util.js';

const ROOT = fileURLToPath(new URL('../../../', import.meta.url));
const DIST = `${ROOT}packages/chunker/dist/index.js`;
const OPTS = { minSize: 4096, maxSize: 65536, averageBits: 13 };

// The same bytes as seededBytes(size, seed) (AES-256-CTR keystream), made on the arm side.
const SCRIPT = `
import { createCipheriv } from 'node:crypto';
import { chunkBoundaries } from ${JSON.stringify(DIST)};
const key = Buffer.alloc(32); key.writeUInt32LE(42, 0);
const data = new Uint8Array(createCipheriv('aes-256-ctr', key, Buffer.alloc(16)).update(Buffer.alloc(3 << 20)));
const out = {};
for (const scanner of ['wasm', 'js']) {
  out[scanner] = [
    chunkBoundaries(data, ${TEST_POL}n, { scanner }).map((c) => c.length + ':' + c.cut),
    chunkBoundaries(data, ${TEST_POL}n, { ...${JSON.stringify(OPTS)}, scanner }).map((c) => c.length + ':' + c.cut),
  ];
}
console.log(JSON.stringify({ arch: process.arch, ...out }));
`;

const targets: Array<[PeerName, string, string, string]> = [
  ['qemu-armv7', 'qemu-arm', '/usr/arm-linux-gnueabihf', 'armv7'],
  ['qemu-arm64', 'qemu-aarch64', '/usr/aarch64-linux-gnu', 'arm64'],
];

for (const [peer, qemu, sysroot, dir] of targets) {
  describe.skipIf(!requirePeer(peer))(`chunker under ${peer}`, () => {
    it('gives the same boundaries and cut fingerprints with both scanners', () => {
      expect(existsSync(DIST), `build first: npx tsc -b packages/chunker (${DIST} is missing)`).toBe(true);
      const data = seededBytes(3 << 20, 42);
      const expected = [
        chunkBoundaries(data, TEST_POL).map((c) => `${c.length}:${c.cut}`),
        chunkBoundaries(data, TEST_POL, OPTS).map((c) => `${c.length}:${c.cut}`),
      ];
      expect(expected[1]!.length).toBeGreaterThan(20);
      const out = execFileSync(qemu, ['-L', sysroot, `${ROOT}.cache/arm/${dir}/bin/node`, '--input-type=module', '-e', SCRIPT], {
        encoding: 'utf8',
        timeout: 280_000,
      });
      const got = JSON.parse(out);
      expect(got.arch).toBe(dir === 'armv7' ? 'arm' : 'arm64');
      expect(got.wasm).toEqual(expected);
      expect(got.js).toEqual(expected);
    }, 300_000);
  });
}
