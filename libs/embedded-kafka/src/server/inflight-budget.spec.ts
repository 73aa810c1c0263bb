import { InflightBudget } from './inflight-budget';

describe('InflightBudget', () => {
  it('reserves up to the capacity, then refuses until bytes are released', () => {
    const budget = new InflightBudget(1000);
    expect(budget.tryReserve(600)).toBe(true);
    expect(budget.tryReserve(400)).toBe(true);
    expect(budget.tryReserve(1)).toBe(false);
    expect(budget.usedBytes).toBe(1000);
    budget.release(400);
    expect(budget.tryReserve(300)).toBe(true);
    expect(budget.usedBytes).toBe(900);
  });

  it('lets one frame larger than the whole pool through when nothing else is held', () => {
    const budget = new InflightBudget(100);
    expect(budget.tryReserve(5000)).toBe(true);
    expect(budget.tryReserve(1)).toBe(false);
    budget.release(5000);
    expect(budget.usedBytes).toBe(0);
  });

  it('wakes every waiter once per release, and not a cancelled one', () => {
    const budget = new InflightBudget(10);
    const woken: string[] = [];
    const a = () => woken.push('a');
    const b = () => woken.push('b');
    budget.onRelease(a);
    budget.onRelease(b);
    budget.cancel(b);
    budget.release(0);
    expect(woken).toEqual([]);
    budget.tryReserve(5);
    budget.release(5);
    budget.release(5);
    expect(woken).toEqual(['a']);
  });
});
