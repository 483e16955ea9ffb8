/**
 * V8's young generation (new space) as a memory choice. V8 starts it at 1 MiB per semi-space and
 * doubles it (up to 8 MiB per semi-space on 64-bit, `--max-semi-space-size`) once enough objects
 * have survived scavenges; pages it grew into stay resident for the rest of the process, and no
 * GC API reachable from Node shrinks it again. An index load of 1,000,000 entries grows it from
 * 2 to 8 MiB resident: ~4 B/blob at that size, for objects that live a few microseconds.
 *
 * - `growing`: V8's default (a growth factor of 2).
 * - `fixed`: a growth factor of 1, so the young generation keeps its initial size. Costs more
 *   scavenges of a smaller space (measured in STRATEGIES.md).
 *
 * `--semi-space-growth-factor` is one of the V8 flags read each time the young generation would
 * grow, so `v8.setFlagsFromString` changes it in a running process (Node 20's V8 11.3 does not
 * freeze flags after start; young-generation.test.ts fails if a Node version stops honouring it).
 * Process-wide: whoever owns the process applies it (the highwater command, benchmarks), before
 * the work it should govern; a library caller keeps V8's default unless it calls this. This module
 * loads nothing but node:v8, so a launcher can import it (`@highwater/repo/strategies/young-generation`)
 * before anything else.
 */
import { setFlagsFromString } from 'node:v8';
import type { StrategyChoices } from '../index-store.js';

export type YoungGeneration = StrategyChoices['youngGeneration'];

export const YOUNG_GENERATIONS: readonly YoungGeneration[] = Object.freeze(['growing', 'fixed']);

/** V8's default of `--semi-space-growth-factor` (`node --v8-options`). */
export const V8_SEMI_SPACE_GROWTH_FACTOR = 2;

/** Sets the growth of this process's young generation from now on. */
export function applyYoungGeneration(choice: YoungGeneration): void {
  if (!YOUNG_GENERATIONS.includes(choice)) throw new RangeError(`expected youngGeneration growing or fixed, got ${String(choice)}`);
  setFlagsFromString(`--semi-space-growth-factor=${choice === 'fixed' ? 1 : V8_SEMI_SPACE_GROWTH_FACTOR}`);
}
