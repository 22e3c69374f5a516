import { settleWithLimit } from '../../../layers/churn/limiter';

describe('settleWithLimit', () => {
  it('never runs more than the limit at once and keeps the results in order', async () => {
    let inFlight = 0;
    let peak = 0;
    const results = await settleWithLimit([30, 5, 20, 1, 10, 2], 2, async (ms, i) => {
      inFlight++;
      peak = Math.max(peak, inFlight);
      await new Promise((resolve) => setTimeout(resolve, ms));
      inFlight--;
      return i;
    });

    expect(peak).toBe(2);
    expect(results.map((r) => r.status === 'fulfilled' && r.value)).toEqual([0, 1, 2, 3, 4, 5]);
  });

  it('settles every item when some fail', async () => {
    const results = await settleWithLimit(['a', 'b', 'c'], 3, async (item) => {
      if (item === 'b') throw new Error('b failed');
      return item.toUpperCase();
    });

    expect(results).toEqual([
      { status: 'fulfilled', value: 'A' },
      { status: 'rejected', reason: new Error('b failed') },
      { status: 'fulfilled', value: 'C' },
    ]);
  });

  it('refuses a limit below one', async () => {
    await expect(settleWithLimit([1], 0, async () => 1)).rejects.toBeInstanceOf(RangeError);
  });
});
