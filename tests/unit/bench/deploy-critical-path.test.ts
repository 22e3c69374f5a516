import { criticalPath, mapWaves, pollRounds, polledDelay, type DelayModel, type PipelineShape, type WorkMs } from '../../../bench/deploy/critical-path';
import { delayModelOf, scaledScenario, ZERO_DELAYS } from '../../../bench/deploy/scenarios';

const REFERENCE: PipelineShape = { images: 6, buildConcurrency: 4, serviceClusters: 2, hasIngress: true };
const WORK: WorkMs = { plan: 200, storeConfig: 800, applyConfigEntries: 250, summarize: 300 };

describe('pollRounds', () => {
  it('counts one round per started poll interval, and at least one', () => {
    expect(pollRounds(2_500, 1_000)).toBe(3);
    expect(pollRounds(3_000, 1_000)).toBe(3);
    expect(pollRounds(3_001, 1_000)).toBe(4);
    expect(pollRounds(0, 10_000)).toBe(1);
    expect(pollRounds(180_000, 10_000)).toBe(18);
  });

  it('rejects a negative delay and a poll interval of 0', () => {
    expect(() => pollRounds(-1, 1_000)).toThrow(RangeError);
    expect(() => pollRounds(1_000, 0)).toThrow(RangeError);
  });

  it('rounds a waited delay up to whole intervals, or leaves it when polling is continuous', () => {
    expect(polledDelay(7_500, 1_000)).toBe(8_000);
    expect(polledDelay(7_500, 0)).toBe(7_500);
  });
});

describe('mapWaves', () => {
  it('runs items in ⌈n / MaxConcurrency⌉ waves, all at once when unlimited', () => {
    expect(mapWaves(6, 4)).toBe(2);
    expect(mapWaves(4, 4)).toBe(1);
    expect(mapWaves(9, 4)).toBe(3);
    expect(mapWaves(6, 0)).toBe(1);
    expect(mapWaves(0, 4)).toBe(0);
  });

  it('rejects fractional or negative counts', () => {
    expect(() => mapWaves(1.5, 4)).toThrow(RangeError);
    expect(() => mapWaves(6, -1)).toThrow(RangeError);
  });
});

describe('criticalPath', () => {
  const delays: DelayModel = { taskStartMs: 2_500, healthMs: 625, buildMs: 7_500, pollMs: 1_000 };

  it('adds the sequential stages and counts the parallel ones once, with builds in waves', () => {
    const path = criticalPath(delays, REFERENCE, WORK);
    expect(path.terms.map((t) => t.stage)).toEqual(['Plan', 'BuildImages', 'StoreConfig', 'Servers', 'ApplyConfigEntries', 'ServiceClusters', 'Ingress', 'Summarize']);
    // 200 + 2 × 7,500 + 800 + 2,500 + 250 + (2,500 + 625) + (2,500 + 625) + 300
    expect(path.ms).toBe(25_300);
    // builds 2 × 8 polls, servers 3, clusters 4, ingress 4 (seconds)
    expect(path.polledMs).toBe(200 + 16_000 + 800 + 3_000 + 250 + 4_000 + 4_000 + 300);
    expect(path.terms.find((t) => t.stage === 'ServiceClusters')).toMatchObject({ kind: 'delay', ms: 3_125, polledMs: 4_000, rounds: 4 });
  });

  it('does not depend on how many service clusters run in parallel', () => {
    const two = criticalPath(delays, REFERENCE, WORK);
    const five = criticalPath(delays, { ...REFERENCE, serviceClusters: 5 }, WORK);
    expect(five.ms).toBe(two.ms);
  });

  it('leaves out the stages a mesh does not have', () => {
    const path = criticalPath(delays, { ...REFERENCE, serviceClusters: 0, hasIngress: false }, WORK);
    expect(path.terms.map((t) => t.stage)).not.toEqual(expect.arrayContaining(['ServiceClusters']));
    expect(path.terms.map((t) => t.stage)).not.toContain('Ingress');
    expect(path.ms).toBe(200 + 15_000 + 800 + 2_500 + 250 + 300);
  });

  it('is the measured work alone at zero delays with continuous polling', () => {
    const path = criticalPath(delayModelOf(ZERO_DELAYS), REFERENCE, WORK);
    expect(path.ms).toBe(200 + 800 + 250 + 300);
    expect(path.polledMs).toBe(path.ms);
  });
});

describe('scenarios', () => {
  it('scales AWS delays by 1/8 into the delays the critical path uses, polling every real second', () => {
    const model = delayModelOf(scaledScenario());
    expect(model).toEqual({ taskStartMs: 2_500, healthMs: 1_000, buildMs: 7_500, pollMs: 1_000 });
  });

  it('ends every waited delay half a poll from a check, so the round that notices it is not a race', () => {
    const { taskStartMs, healthMs, buildMs, pollMs } = delayModelOf(scaledScenario());
    for (const delay of [taskStartMs, taskStartMs + healthMs, buildMs]) expect((delay % pollMs) / pollMs).toBe(0.5);
  });

  it('rejects a scale outside (0, 1]', () => {
    expect(() => scaledScenario(0)).toThrow(RangeError);
    expect(() => scaledScenario(2)).toThrow(RangeError);
  });
});
