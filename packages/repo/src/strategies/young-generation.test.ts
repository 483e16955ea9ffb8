/**
 * applyYoungGeneration in fresh child processes: V8's young generation stays at its initial size
 * under `fixed`, grows under `growing` (also after `fixed`), and `growing` is V8's own default.
 * The churn keeps ~20,000 objects alive at a time, so that scavenges see survivors, as an index
 * load's in-flight objects are; 3,000,000 allocations grow V8's default young generation to its
 * maximum here.
 */
import { execFileSync } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import { applyYoungGeneration, V8_SEMI_SPACE_GROWTH_FACTOR } from '@highwater/repo';

const MiB = 1024 * 1024;

/**
 * The young generation's committed size (both semi-spaces) before and after the churn, in a child
 * that applied `choices`. (Its resident size may still rise up to that as pages are first used.)
 */
function newSpaceAroundChurn(choices: readonly string[]): { before: number; after: number } {
  const code = `
import { getHeapSpaceStatistics } from 'node:v8';
import { applyYoungGeneration } from '@highwater/repo';
const newSpace = () => getHeapSpaceStatistics().find((s) => s.space_name === 'new_space').space_size;
for (const c of ${JSON.stringify(choices)}) applyYoungGeneration(c);
const before = newSpace();
let keep = [];
for (let i = 0; i < 3e6; i++) { keep.push({ i }); if (keep.length > 20000) keep = []; }
console.log(JSON.stringify({ before, after: newSpace() }));
`;
  return JSON.parse(execFileSync(process.execPath, ['--input-type=module', '-e', code], { encoding: 'utf8' })) as { before: number; after: number };
}

describe('applyYoungGeneration', () => {
  it('fixed keeps the young generation at its initial size; growing lets it grow', () => {
    // (Loading @highwater/repo in the child may already have grown it from its initial size.)
    const untouched = newSpaceAroundChurn([]);
    const fixed = newSpaceAroundChurn(['fixed']);
    const growing = newSpaceAroundChurn(['growing']);
    const fixedThenGrowing = newSpaceAroundChurn(['fixed', 'growing']);
    // How far it grows depends on the timing of the scavenges; that it grows does not.
    for (const grew of [untouched, growing, fixedThenGrowing]) expect(grew.after).toBeGreaterThanOrEqual(grew.before + 2 * MiB);
    expect(fixed.after).toBe(fixed.before);
  });

  it("growing is V8's default growth factor", () => {
    const options = execFileSync(process.execPath, ['--v8-options'], { encoding: 'utf8' });
    const m = /--semi-space-growth-factor[\s\S]*?default: --semi-space-growth-factor=(\d+)/.exec(options);
    expect(m, 'node --v8-options lists --semi-space-growth-factor').not.toBeNull();
    expect(Number(m![1])).toBe(V8_SEMI_SPACE_GROWTH_FACTOR);
  });

  it('refuses anything else', () => {
    expect(() => applyYoungGeneration('large' as 'fixed')).toThrow(RangeError);
  });
});
