import { countCalls, CountingLogger, SummingMetrics } from '../../../bench/churn/counting';
import { sample, seededRandom } from '../../../bench/churn/random';
import { stopsDue } from '../../../bench/churn/stopper';

describe('countCalls', () => {
  class Client {
    constructor(private readonly prefix: string) {}
    async read(key: string) {
      return `${this.prefix}${key}`;
    }
    async fail() {
      throw new Error('boom');
    }
  }

  it('counts each method call and forwards it unchanged, with its receiver', async () => {
    const counted = countCalls(new Client('v:'));
    await expect(counted.api.read('a')).resolves.toBe('v:a');
    await counted.api.read('b');
    await expect(counted.api.fail()).rejects.toThrow('boom');

    expect(counted.counts()).toEqual({ read: 2, fail: 1 });
    expect(counted.total((m) => m !== 'fail')).toBe(2);
    counted.reset();
    expect(counted.total()).toBe(0);
  });
});

describe('CountingLogger and SummingMetrics', () => {
  it('counts lines by message and keeps warnings with their attributes', () => {
    const logger = new CountingLogger(1);
    logger.info('task registered');
    logger.info('task registered');
    logger.warn('peers unreadable', { error: 'ConsulUnavailable' });
    logger.error('second problem');

    expect(logger.lines('task registered')).toBe(2);
    expect(logger.lines('second problem')).toBe(1);
    expect(logger.problems).toEqual([{ level: 'warn', message: 'peers unreadable', attributes: { error: 'ConsulUnavailable' } }]);
  });

  it('sums metrics by name', () => {
    const metrics = new SummingMetrics();
    metrics.addMetric('ReconcileEcsCalls', 'Count', 3);
    metrics.addMetric('ReconcileEcsCalls', 'Count', 4);
    expect(metrics.values).toEqual({ ReconcileEcsCalls: 7 });
  });
});

describe('seeded sampling and the stop rate', () => {
  it('draws the same distinct items for the same seed, without touching the input', () => {
    const items = Array.from({ length: 50 }, (_, i) => i);
    const first = sample(items, 10, seededRandom(7));
    expect(sample(items, 10, seededRandom(7))).toEqual(first);
    expect(new Set(first).size).toBe(10);
    expect(items).toEqual(Array.from({ length: 50 }, (_, i) => i));
    expect(sample(items.slice(0, 3), 10, seededRandom(1))).toHaveLength(3);
  });

  it('owes whole stops from the start, so 200 ticks of 0.1 s at 1/s make 20, not 19', () => {
    expect(stopsDue(1, 20_000)).toBe(20);
    expect(stopsDue(1, 100)).toBe(0);
    expect(stopsDue(2.5, 1_000)).toBe(2);
  });
});
