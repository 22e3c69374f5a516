import { loadDefinition, loopHistoryEvents, loopStates, mapMaxConcurrency, UnexpectedDefinition, type AslDefinition } from '../../../bench/deploy/asl';
import { estimateOnAws, renderEstimateArithmetic, transitionCostUsd, type WaitLoop } from '../../../bench/deploy/aws-estimate';
import { waitLoops } from '../../../bench/deploy/pipeline';
import { AWS_ESTIMATE_DELAYS } from '../../../bench/deploy/scenarios';
import { DEPLOY_ASL_FILE } from '../../../bench/deploy/spec';

describe('the deploy state machine as the benchmark reads it', () => {
  const definition = loadDefinition(DEPLOY_ASL_FILE);

  it('finds one round of each wait loop, starting at its Wait state', () => {
    expect(loopStates(definition, 'WaitBuild')).toEqual(['WaitBuild', 'CheckBuild', 'ImageReady?', 'BuildRounds?']);
    expect(loopStates(definition, 'ServersWait')).toEqual(['ServersWait', 'ServersCheck', 'ServersReady?']);
    expect(loopStates(definition, 'ClusterWait')).toEqual(['ClusterWait', 'ClusterCheck', 'ClusterReady?']);
    expect(loopStates(definition, 'IngressWait')).toEqual(['IngressWait', 'IngressCheck', 'IngressReady?']);
  });

  it('counts the history events of a round: 5 for a Lambda task, 2 for a Wait or Choice', () => {
    expect(loopHistoryEvents(definition, 'WaitBuild')).toBe(2 + 5 + 2 + 2);
    expect(loopHistoryEvents(definition, 'ServersWait')).toBe(2 + 5 + 2);
  });

  it('reads MaxConcurrency of the Maps (0 = unlimited)', () => {
    expect(mapMaxConcurrency(definition, 'BuildImages')).toBe(4);
    expect(mapMaxConcurrency(definition, 'ServiceClusters')).toBe(0);
    expect(() => mapMaxConcurrency(definition, 'Plan')).toThrow(UnexpectedDefinition);
  });

  it('names a state that is on no loop, or missing', () => {
    expect(() => loopStates(definition, 'Plan')).toThrow(/on no loop/);
    expect(() => loopStates(definition, 'NoSuchState')).toThrow(UnexpectedDefinition);
  });

  it('lists the reference deployment’s loops with what each waits for on AWS', () => {
    const loops = waitLoops(definition, { images: 6, buildConcurrency: 4, serviceClusters: 2, hasIngress: true }, AWS_ESTIMATE_DELAYS);
    expect(loops.map((l) => [l.waitState, l.instances, l.statesPerRound, l.awsDelayMs])).toEqual([
      ['WaitBuild', 6, 4, 180_000],
      ['ServersWait', 1, 3, 60_000],
      ['ClusterWait', 2, 3, 68_000],
      ['IngressWait', 1, 3, 68_000],
    ]);
  });

  it('follows Choice rules as well as Default to close a loop', () => {
    const tiny: AslDefinition = {
      StartAt: 'W',
      States: {
        W: { Type: 'Wait', Next: 'C' },
        C: { Type: 'Choice', Choices: [{ Next: 'W' }], Default: 'End' },
        End: { Type: 'Succeed' },
      },
    };
    expect(loopStates(tiny, 'W')).toEqual(['W', 'C']);
  });
});

describe('estimateOnAws', () => {
  const loops: WaitLoop[] = [
    { waitState: 'WaitBuild', statesPerRound: 4, historyEventsPerRound: 11, instances: 6, awsDelayMs: 180_000 },
    { waitState: 'ServersWait', statesPerRound: 3, historyEventsPerRound: 9, instances: 1, awsDelayMs: 60_000 },
    { waitState: 'ClusterWait', statesPerRound: 3, historyEventsPerRound: 9, instances: 2, awsDelayMs: 65_000 },
    { waitState: 'IngressWait', statesPerRound: 3, historyEventsPerRound: 9, instances: 1, awsDelayMs: 65_000 },
  ];
  // A measured run: 32 fixed transitions, 48 build rounds, 3 server rounds, 8 cluster rounds, 4 ingress rounds.
  const observed = {
    transitions: 32 + 48 * 4 + 3 * 3 + 8 * 3 + 4 * 3,
    historyEvents: 120 + 48 * 11 + (3 + 8 + 4) * 9,
    roundsByWaitState: { WaitBuild: 48, ServersWait: 3, ClusterWait: 8, IngressWait: 4 },
  };

  it('takes the measured rounds out and puts in the rounds a 10 s poll needs for each AWS delay', () => {
    const estimate = estimateOnAws(observed, loops, 10_000);
    expect(estimate.fixedTransitions).toBe(32);
    expect(estimate.fixedHistoryEvents).toBe(120);
    expect(estimate.loops.map((l) => [l.waitState, l.rounds, l.transitions])).toEqual([
      ['WaitBuild', 18, 6 * 18 * 4],
      ['ServersWait', 6, 6 * 3],
      ['ClusterWait', 7, 2 * 7 * 3],
      ['IngressWait', 7, 7 * 3],
    ]);
    expect(estimate.transitions).toBe(32 + 432 + 18 + 42 + 21);
    expect(estimate.historyEvents).toBe(120 + 6 * 18 * 11 + 6 * 9 + 2 * 7 * 9 + 7 * 9);
    expect(estimate.costUsd).toBeCloseTo(545 * 0.000025, 10);
  });

  it('finds the same fixed part whatever rounds the measured run happened to need', () => {
    const faster = { ...observed, transitions: observed.transitions - 20 * 4, historyEvents: observed.historyEvents - 20 * 11, roundsByWaitState: { ...observed.roundsByWaitState, WaitBuild: 28 } };
    expect(estimateOnAws(faster, loops, 10_000)).toEqual(estimateOnAws(observed, loops, 10_000));
  });

  it('refuses loops that account for more transitions than were measured', () => {
    expect(() => estimateOnAws({ ...observed, transitions: 10 }, loops, 10_000)).toThrow(RangeError);
  });

  it('shows its arithmetic', () => {
    expect(renderEstimateArithmetic(estimateOnAws(observed, loops, 10_000))).toBe(
      '32 fixed + WaitBuild 6 × 18 rounds × 4 + ServersWait 1 × 6 rounds × 3 + ClusterWait 2 × 7 rounds × 3 + IngressWait 1 × 7 rounds × 3 = 545 transitions × $0.025/1,000 = $0.0136',
    );
  });
});

describe('transitionCostUsd', () => {
  it('charges $0.025 per 1,000 transitions', () => {
    expect(transitionCostUsd(1000)).toBeCloseTo(0.025, 12);
    expect(transitionCostUsd(545)).toBeCloseTo(0.013625, 12);
    expect(transitionCostUsd(0)).toBe(0);
    expect(transitionCostUsd(4000, 0.05)).toBeCloseTo(0.2, 12);
  });

  it('rejects a negative count', () => {
    expect(() => transitionCostUsd(-1)).toThrow(RangeError);
  });
});
