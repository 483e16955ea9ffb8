import { describe, expect, it } from 'vitest';
import { topAllocations } from '@highwater/report';

const node = (functionName: string, url: string, lineNumber: number, selfSize: number, children: unknown[] = []) => ({ callFrame: { functionName, url, lineNumber }, selfSize, children });

describe('topAllocations', () => {
  const profile = {
    head: node('(root)', '', -1, 0, [
      node('loadIndex', 'file:///app/index-store.js', 9, 1000, [node('parse', 'file:///app/index-store.js', 19, 5000), node('', 'file:///app/x.js', 0, 10)]),
      node('decode', 'node:internal/encoding', 439, 9000),
      node('loadIndex', 'file:///app/index-store.js', 9, 3000),
      node('(garbage collector)', '', -1, 700),
    ]),
    samples: [],
  };
  it('sums self sizes per site, biggest first, application frames only by default', () => {
    expect(topAllocations(profile)).toEqual([
      { functionName: 'parse', url: 'file:///app/index-store.js', line: 20, selfBytes: 5000 },
      { functionName: 'loadIndex', url: 'file:///app/index-store.js', line: 10, selfBytes: 4000 },
      { functionName: '(anonymous)', url: 'file:///app/x.js', line: 1, selfBytes: 10 },
    ]);
    const all = topAllocations(profile, { applicationOnly: false, limit: 2 });
    expect(all.map((a) => a.functionName)).toEqual(['decode', 'parse']);
  });
  it('rejects what is not a heap profile', () => {
    expect(() => topAllocations({ nodes: [] })).toThrow(TypeError);
  });
});
