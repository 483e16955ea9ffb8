import { describe, expect, it } from 'vitest';
import type { TreeNode } from '@highwater/repo';
import { compilePatterns, planDirectory, type PlanRules } from '@highwater/engine';

const file = (name: string): TreeNode => ({ name, type: 'file', content: [] });
const dir = (name: string): TreeNode => ({ name, type: 'dir', content: null, subtree: 'a'.repeat(64) });
const rules = (includes: string[] = [], excludes: string[] = []): PlanRules => ({
  snapshotLabel: '1234abcd',
  includes: compilePatterns(includes),
  excludes: compilePatterns(excludes),
});

describe('planDirectory', () => {
  it('refuses every unsafe or duplicate name, naming the snapshot and the directory', () => {
    const nodes = [file('ok'), file('../x'), file('/etc/x'), dir('..'), file('.'), file(''), file('a/b'), file('nul\0'), file('ok'), { name: 'fifo', type: 'fifo' } as TreeNode];
    const plan = planDirectory(nodes, '/home', ['home'], rules());
    expect(plan.items.map((i) => i.path)).toEqual(['/home/ok']);
    expect(plan.items[0]!.components).toEqual(['home', 'ok']);
    expect(plan.dirs).toEqual([]);
    expect(plan.problems).toHaveLength(9);
    for (const p of plan.problems.slice(0, 8)) expect(p.message).toMatch(/^snapshot 1234abcd: refusing to restore node .* in \/home: /);
    expect(plan.problems[8]!.message).toContain('fifo');
  });

  it('applies includes (with the directories leading to them) and excludes', () => {
    const nodes = [file('a.txt'), file('b.log'), dir('docs'), dir('other')];
    const inc = planDirectory(nodes, '/', [], rules(['/docs/*.md', '/a.txt']));
    expect(inc.items.map((i) => i.path)).toEqual(['/a.txt']);
    expect(inc.dirs.map((d) => [d.path, d.selected])).toEqual([['/docs', false]]);
    const exc = planDirectory(nodes, '/', [], rules([], ['*.log', '/other']));
    expect(exc.items.map((i) => i.path)).toEqual(['/a.txt']);
    expect(exc.dirs.map((d) => [d.path, d.selected])).toEqual([['/docs', true]]);
  });
});
