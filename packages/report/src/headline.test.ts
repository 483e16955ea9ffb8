import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { loadResults } from '@highwater/report';
import { engineName } from './headline.js';
import { groupRuns } from './run-groups.js';

const REF = fileURLToPath(new URL('../../../reports/reference/results/', import.meta.url));

describe('engineName', () => {
  it('names a fetched restic build once (restic 0.14, not restic@0.14 0.14)', () => {
    const [g] = groupRuns(loadResults([`${REF}forum-s1-armv7-load-index-restic-0.14.json`]).map((l) => l.result));
    expect(engineName(g!)).toBe('restic 0.14');
  });
});
