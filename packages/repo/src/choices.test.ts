import { describe, expect, it } from 'vitest';
import { STRATEGY_CHOICE_FLAGS, choiceDefaultText, resolveChoices } from './choices.js';
import { STRATEGY_DEFAULTS } from './strategies/index.js';

describe('STRATEGY_CHOICE_FLAGS: the one table of strategy choices', () => {
  it('has one row per flag, and each single choice is a field of every strategy bundle', () => {
    const flags = STRATEGY_CHOICE_FLAGS.map((f) => f.flag);
    expect(new Set(flags).size).toBe(flags.length);
    expect(flags).toEqual(['strategy', 'index-load-concurrency', 'tree-decode', 'blob-set', 'young-generation', 'kdf-memory', 'cache-dir', 'cache']);
    for (const f of STRATEGY_CHOICE_FLAGS.filter((r) => r.single)) {
      for (const bundle of Object.values(STRATEGY_DEFAULTS)) {
        const v = bundle[f.key as keyof typeof bundle];
        if (Array.isArray(f.values)) expect(f.values, f.flag).toContain(v);
        else expect(Number.isSafeInteger(v), f.flag).toBe(true);
      }
    }
  });

  it("names each strategy's default in help, or one value when they agree", () => {
    const text = (flag: string): string | null => choiceDefaultText(STRATEGY_CHOICE_FLAGS.find((f) => f.flag === flag)!);
    expect(text('tree-decode')).toBe("the strategy's: naive whole, packed stream, paged stream");
    expect(text('index-load-concurrency')).toBe("the strategy's: naive 20, packed 2, paged 2");
    expect(text('kdf-memory')).toBe("the strategy's: naive full, packed quarter, paged quarter");
    expect(text('strategy')).toBeNull();
    expect(text('cache-dir')).toBe("restic's, $XDG_CACHE_HOME/restic");
  });

  it('resolveChoices checks each value against the table', () => {
    expect(resolveChoices({ index: 'naive' })).toMatchObject({ treeDecode: 'whole', blobSet: 'strings', indexLoadConcurrency: 20 });
    expect(() => resolveChoices({ treeDecode: 'lazy' as never })).toThrow('expected treeDecode whole or stream, got lazy');
    expect(() => resolveChoices({ blobSet: 'set' as never })).toThrow(RangeError);
    expect(() => resolveChoices({ indexLoadConcurrency: 0 })).toThrow('expected indexLoadConcurrency to be a positive integer, got 0');
  });
});
