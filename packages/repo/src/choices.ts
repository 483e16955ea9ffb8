/**
 * Strategy bundles: the defaults of each named strategy (STRATEGY_DEFAULTS, owned by ./strategies),
 * with any choice overridable on its own. naive = what old restic did (20 index files at once, whole
 * JSON.parse of trees, a Set of hex strings); packed and paged = the bounded choices.
 *
 * STRATEGY_CHOICE_FLAGS is the one table of these choices as flags (flag, values, default, help):
 * the cli builds its options, its help and its StrategyChoices from it, and the harness passes
 * the same flags to a replayed child.
 */
import type { StrategyChoices, StrategyName } from './index-store.js';
import { STRATEGY_NAMES } from './index-store.js';
import { STRATEGY_DEFAULTS, YOUNG_GENERATIONS, defaultCacheDir } from './strategies/index.js';

export const DEFAULT_STRATEGY: StrategyName = 'packed';

export const KDF_MEMORY_CHOICES: readonly StrategyChoices['kdfMemory'][] = Object.freeze(['full', 'quarter']);

/** One strategy choice as a command-line flag. */
export interface StrategyChoiceFlag {
  /** The flag without its dashes, as restic-style commands spell it: `tree-decode`. */
  readonly flag: string;
  /** The StrategyChoices field it sets. */
  readonly key: keyof StrategyChoices;
  /** The values it takes: a closed list, a positive integer, a folder path, or on/off (`--no-FLAG`). */
  readonly values: readonly string[] | 'positive-integer' | 'path' | 'boolean';
  /**
   * The default when the flag is absent: a value, or `strategy` when the named strategy's bundle
   * decides (STRATEGY_DEFAULTS), or `environment` when it comes from restic's cache location.
   */
  readonly default: string | boolean | 'strategy' | 'environment';
  /** One line of help, without the default. */
  readonly help: string;
  /** True for a choice a replayed child takes as a flag on its own (`replay --tree-decode`). */
  readonly single: boolean;
}

export const STRATEGY_CHOICE_FLAGS: readonly StrategyChoiceFlag[] = Object.freeze([
  { flag: 'strategy', key: 'index', values: STRATEGY_NAMES, default: DEFAULT_STRATEGY, help: 'memory strategy: index store and related choices', single: false },
  { flag: 'index-load-concurrency', key: 'indexLoadConcurrency', values: 'positive-integer', default: 'strategy', help: 'index files loaded at once', single: true },
  { flag: 'tree-decode', key: 'treeDecode', values: ['whole', 'stream'], default: 'strategy', help: 'tree decoding', single: true },
  { flag: 'blob-set', key: 'blobSet', values: ['strings', 'bits'], default: 'strategy', help: 'used-blob sets', single: true },
  { flag: 'young-generation', key: 'youngGeneration', values: YOUNG_GENERATIONS, default: 'strategy', help: "V8's young generation: grows as V8 does, or stays at its initial size", single: true },
  { flag: 'kdf-memory', key: 'kdfMemory', values: KDF_MEMORY_CHOICES, default: 'strategy', help: "scrypt's working memory when the key is opened: all of it (as restic), or a quarter (the rest recomputed)", single: true },
  { flag: 'cache-dir', key: 'cacheDir', values: 'path', default: 'environment', help: 'local cache directory', single: false },
  { flag: 'cache', key: 'cacheDir', values: 'boolean', default: true, help: 'use the local cache; --no-cache: do not', single: false },
] satisfies StrategyChoiceFlag[]);

/** The text of a flag's default for help: `packed`, or each strategy's own (`naive 20, packed 2, paged 2`). */
export function choiceDefaultText(f: StrategyChoiceFlag): string | null {
  if (f.default === 'environment') return "restic's, $XDG_CACHE_HOME/restic";
  if (f.default !== 'strategy') return null; // a plain value: the option parser prints it
  const byStrategy = STRATEGY_NAMES.map((s) => [s, String(STRATEGY_DEFAULTS[s][f.key as Exclude<keyof StrategyChoices, 'cacheDir'>])] as const);
  const same = byStrategy.every(([, v]) => v === byStrategy[0]![1]);
  return `the strategy's: ${same ? byStrategy[0]![1] : byStrategy.map(([s, v]) => `${s} ${v}`).join(', ')}`;
}

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
    kdfMemory: partial?.kdfMemory ?? d.kdfMemory,
    cacheDir: partial?.cacheDir === undefined ? defaultCacheDir() : partial.cacheDir,
  };
  for (const f of STRATEGY_CHOICE_FLAGS) {
    const v = c[f.key];
    if (f.values === 'positive-integer' && (typeof v !== 'number' || !Number.isSafeInteger(v) || v < 1)) {
      throw new RangeError(`expected ${f.key} to be a positive integer, got ${String(v)}`);
    }
    if (Array.isArray(f.values) && !f.values.includes(v as string)) throw new RangeError(`expected ${f.key} ${f.values.join(' or ')}, got ${String(v)}`);
  }
  return c;
}
