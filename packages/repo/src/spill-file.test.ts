import { existsSync, mkdtempSync, readdirSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { SpillFile } from './spill-file.js';

const root = mkdtempSync(join(tmpdir(), 'hw-spill-test-'));
afterAll(() => rmSync(root, { recursive: true, force: true }));

async function collect(body: AsyncIterable<Uint8Array>): Promise<Buffer> {
  const parts: Uint8Array[] = [];
  for await (const c of body) parts.push(c);
  return Buffer.concat(parts);
}

describe('SpillFile', () => {
  const data = Buffer.alloc(2.5 * (1 << 20) + 7).map((_, i) => (i * 31) & 0xff);

  it('keeps what was written, 0600 in a 0700 folder, and reads it back as pieces and as a body', async () => {
    const f = new SpillFile(root, 'case-');
    f.write(data.subarray(0, 1000));
    f.write(data.subarray(1000));
    f.close();
    expect(f.length).toBe(data.length);
    expect(statSync(f.path).mode & 0o777).toBe(0o600);
    expect(statSync(join(f.path, '..')).mode & 0o777).toBe(0o700);
    const sizes: number[] = [];
    const copies: Buffer[] = [];
    for (const p of f.pieces()) {
      sizes.push(p.length);
      copies.push(Buffer.from(p)); // a view of a reused buffer: copy before the next
    }
    expect(sizes).toEqual([1 << 20, 1 << 20, data.length - 2 * (1 << 20)]);
    expect(Buffer.concat(copies).equals(data)).toBe(true);
    const body = f.body();
    expect((await collect(body)).equals(data)).toBe(true);
    expect((await collect(body)).equals(data)).toBe(true); // re-iterable: a backend may retry
    f.dispose();
    f.dispose();
    expect(existsSync(f.path)).toBe(false);
    expect(readdirSync(root).filter((n) => n.startsWith('case-'))).toEqual([]);
  });

  it('refuses writes after close, and leaves nothing when its folder cannot hold the file', () => {
    const f = new SpillFile(root, 'closed-');
    f.close();
    expect(() => f.write(new Uint8Array(1))).toThrow(TypeError);
    f.dispose();
    expect(() => new SpillFile(join(root, 'missing'), 'x-')).toThrow();
    expect(readdirSync(root)).toEqual([]);
  });
});
