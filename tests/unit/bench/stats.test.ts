import { median, percentile, percentileOfSorted, ratio, requestsPerSecond, summarize } from '../../../bench/lib/stats';

const oneToHundred = Array.from({ length: 100 }, (_, i) => i + 1);

describe('percentile', () => {
  it('interpolates linearly between the closest ranks', () => {
    expect(percentile(oneToHundred, 50)).toBeCloseTo(50.5, 10);
    expect(percentile(oneToHundred, 99)).toBeCloseTo(99.01, 10);
    expect(percentile(oneToHundred, 90)).toBeCloseTo(90.1, 10);
    expect(percentile([1, 2, 3, 4], 50)).toBe(2.5);
    expect(percentile([10, 20], 25)).toBe(12.5);
  });

  it('gives the minimum at 0, the maximum at 100 and the middle value of an odd count at 50', () => {
    const samples = [7, 3, 9, 1, 5];
    expect(percentile(samples, 0)).toBe(1);
    expect(percentile(samples, 100)).toBe(9);
    expect(percentile(samples, 50)).toBe(5);
    expect(median(samples)).toBe(5);
  });

  it('sorts numerically, not as strings, and leaves the input untouched', () => {
    const samples = [100, 9, 10, 2];
    expect(percentile(samples, 0)).toBe(2);
    expect(percentile(samples, 100)).toBe(100);
    expect(median(samples)).toBe(9.5);
    expect(samples).toEqual([100, 9, 10, 2]);
  });

  it('returns the only sample for every percentile of a single sample', () => {
    expect(percentile([4.2], 0)).toBe(4.2);
    expect(percentile([4.2], 99)).toBe(4.2);
  });

  it('rejects empty sample sets, percentiles outside 0..100 and non-finite samples', () => {
    expect(() => percentile([], 50)).toThrow(RangeError);
    expect(() => percentileOfSorted([1, 2], 101)).toThrow(RangeError);
    expect(() => percentileOfSorted([1, 2], -1)).toThrow(RangeError);
    expect(() => percentile([1, Number.NaN], 50)).toThrow(RangeError);
    expect(() => percentile([1, Number.POSITIVE_INFINITY], 50)).toThrow(RangeError);
  });
});

describe('summarize', () => {
  it('reports count, min, max, mean and p50/p90/p99 of the samples', () => {
    expect(summarize(oneToHundred)).toEqual({
      count: 100,
      min: 1,
      max: 100,
      mean: 50.5,
      p50: 50.5,
      p90: expect.closeTo(90.1, 10),
      p99: expect.closeTo(99.01, 10),
    });
  });

  it('keeps the median away from a single slow outlier that drags the mean', () => {
    const summary = summarize([1, 1, 1, 1, 1, 1, 1, 1, 1, 91]);
    expect(summary.p50).toBe(1);
    expect(summary.mean).toBe(10);
    expect(summary.max).toBe(91);
  });

  it('refuses an empty sample set', () => {
    expect(() => summarize([])).toThrow(RangeError);
  });
});

describe('requestsPerSecond', () => {
  it('divides completed requests by the duration in seconds', () => {
    expect(requestsPerSecond(500, 250)).toBe(2000);
    expect(requestsPerSecond(3, 1500)).toBe(2);
    expect(requestsPerSecond(0, 1000)).toBe(0);
  });

  it('rejects a duration that is not positive and a negative count', () => {
    expect(() => requestsPerSecond(10, 0)).toThrow(RangeError);
    expect(() => requestsPerSecond(10, -5)).toThrow(RangeError);
    expect(() => requestsPerSecond(-1, 100)).toThrow(RangeError);
  });
});

describe('ratio', () => {
  it('divides two figures of the same run and rejects a zero denominator', () => {
    expect(ratio(1200, 400)).toBe(3);
    expect(() => ratio(1, 0)).toThrow(RangeError);
  });
});
