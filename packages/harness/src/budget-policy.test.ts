import { describe, expect, it } from 'vitest';
import { BudgetPolicy, type BudgetKill } from './budget-policy.js';

const reading = (rssBytes: number, by: BudgetKill['by'] = 'sample', t = 10): BudgetKill => ({ t, rssBytes, phase: 'load-index', by });

describe('the budget policy', () => {
  it('kills once, at the first reading above the budget, and remembers where', () => {
    const kills: BudgetKill[] = [];
    const p = new BudgetPolicy(100, (k) => kills.push(k));
    expect(p.check(reading(100))).toBe(false); // at the budget is within it
    expect(p.check(reading(101, 'vmhwm', 20))).toBe(true);
    expect(p.check(reading(500, 'sample', 30))).toBe(false);
    expect(kills).toEqual([reading(101, 'vmhwm', 20)]);
    expect(p.kill).toEqual(reading(101, 'vmhwm', 20));
  });

  it('never kills without a budget, or after the child ended', () => {
    const none = new BudgetPolicy(null, () => expect.unreachable());
    expect(none.check(reading(1e12))).toBe(false);
    expect(none.kill).toBeNull();
    const late = new BudgetPolicy(100, () => expect.unreachable());
    late.end();
    expect(late.check(reading(101, 'probe'))).toBe(false);
    expect(late.kill).toBeNull();
  });
});
