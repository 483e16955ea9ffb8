import { describe, expect, it } from 'vitest';
import { UsageError } from './cli-error.js';
import { strategyChoices } from './open-repo.js';

describe('strategyChoices: the flags of repo\'s table to StrategyChoices', () => {
  it('maps each flag yargs parsed (camel-cased) to its field', () => {
    expect(strategyChoices({ strategy: 'naive', indexLoadConcurrency: 4, treeDecode: 'stream', blobSet: 'bits', youngGeneration: 'fixed', cacheDir: '/c' }))
      .toEqual({ index: 'naive', indexLoadConcurrency: 4, treeDecode: 'stream', blobSet: 'bits', youngGeneration: 'fixed', cacheDir: '/c' });
    expect(strategyChoices({})).toEqual({});
  });

  it('--no-cache wins over --cache-dir', () => {
    expect(strategyChoices({ cacheDir: '/c', cache: false })).toEqual({ cacheDir: null });
    expect(strategyChoices({ cacheDir: '/c', noCache: true })).toEqual({ cacheDir: null });
    expect(strategyChoices({ cacheDir: '/c', cache: true })).toEqual({ cacheDir: '/c' });
  });

  it('refuses an index-load-concurrency that is not a positive integer, naming the flag', () => {
    for (const bad of [0, 1.5, Number.NaN, 'x']) {
      expect(() => strategyChoices({ indexLoadConcurrency: bad })).toThrow(UsageError);
      expect(() => strategyChoices({ indexLoadConcurrency: bad })).toThrow(/^--index-load-concurrency: expected a positive integer/);
    }
  });
});
