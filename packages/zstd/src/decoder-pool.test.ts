import { describe, expect, it } from 'vitest';
import { ZstdDecoderPool } from './decoder-pool.js';

const turn = (): Promise<void> => new Promise((r) => setTimeout(r, 5));

describe('ZstdDecoderPool', () => {
  it('lends the same decoder to the next stream when one is given back', () => {
    const pool = new ZstdDecoderPool();
    const a = pool.take();
    const b = pool.take();
    expect(b).not.toBe(a);
    pool.give(a);
    expect(pool.take()).toBe(a);
  });

  it('keeps its decoders while a stream follows another in the same turn, drops them when idle', async () => {
    const pool = new ZstdDecoderPool();
    const a = pool.take();
    pool.give(a);
    const again = pool.take(); // the next file of a loader starts before any I/O
    expect(again).toBe(a);
    await turn();
    expect(pool.idle).toBe(0); // lent, so nothing idle to drop
    pool.give(again);
    expect(pool.idle).toBe(1);
    await turn();
    expect(pool.idle).toBe(0);
    expect(pool.take()).not.toBe(a);
  });
});
