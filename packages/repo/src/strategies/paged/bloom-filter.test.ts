import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { BloomFilter } from './bloom-filter.js';

const id = (s: string): Buffer => createHash('sha256').update(s).digest();

describe('BloomFilter', () => {
  it('never misses an added id and has about 1% false positives', () => {
    const bloom = new BloomFilter(50_000);
    for (let i = 0; i < 50_000; i++) bloom.add(id(`in${i}`), 0);
    let missed = 0;
    for (let i = 0; i < 50_000; i++) if (!bloom.mayContain(id(`in${i}`), 0)) missed++;
    expect(missed).toBe(0);
    let fp = 0;
    for (let i = 0; i < 50_000; i++) if (bloom.mayContain(id(`out${i}`), 0)) fp++;
    expect(fp / 50_000).toBeLessThan(0.015);
    expect(bloom.byteLength).toBeLessThanOrEqual(50_000 * 1.26 + 64);
  });
});
