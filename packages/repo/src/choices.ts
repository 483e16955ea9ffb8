/**
 * Strategy bundles: the defaults of each named strategy (STRATEGY_DEFAULTS, owned by ./strategies),
 * with any choice overridable on its own. naive = what old restic did (20 index files at once, whole
 * JSON.parse of trees, a Set of hex strings); packed and paged = the bounded choices.
 */
import type { StrategyChoices, StrategyName } from './index-store.js';
import { STRATEGY_NAMES } from './index-store.js';
import { STRATEGY_DEFAULTS, YOUNG_GENERATIONS, defaultCacheDir } from './strategies/index.js';

export const DEFAULT_STRATEGY: StrategyName = 'packed';

/** The full choices for a partial set: the named strategy's bundle (default packed), then each override. */
export function resolveChoices(partial?: Partial<StrategyChoices>): StrategyChoices {
  const index = partial?.index ?? DEFAULT_STRATEGY;
  if (!STRATEGY_NAMES.includes(index)) throw new RangeError(`expected a strategy in ${STRATEGY_NAMES.join(', ')}, got ${String(index)}`);
  const d = STRATEGY_DEFAULTS[index];
  const c: StrategyChoices = {
    index,
    indexLoadConcurrency: partial?.indexLoadConcurrency ?? d.indexLoadConcurrency,
    treeDecode: partial?.treeDecode ?? d.treeDecode,
    blobSet: partial?.blobSet ?? d.blobSet,
    youngGeneration: partial?.youngGeneration ?? d.youngGeneration,
    cacheDir: partial?.cacheDir === undefined ? defaultCacheDir() : partial.cacheDir,
  };
  if (!Number.isSafeInteger(c.indexLoadConcurrency) || c.indexLoadConcurrency < 1) {
    throw new RangeError(`expected indexLoadConcurrency to be a positive integer, got ${String(c.indexLoadConcurrency)}`);
  }
  if (c.treeDecode !== 'whole' && c.treeDecode !== 'stream') throw new RangeError(`expected treeDecode whole or stream, got ${String(c.treeDecode)}`);
  if (c.blobSet !== 'strings' && c.blobSet !== 'bits') throw new RangeError(`expected blobSet strings or bits, got ${String(c.blobSet)}`);
  if (!YOUNG_GENERATIONS.includes(c.youngGeneration)) throw new RangeError(`expected youngGeneration growing or fixed, got ${String(c.youngGeneration)}`);
  return c;
}
