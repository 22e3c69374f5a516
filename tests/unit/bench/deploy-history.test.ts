import {
  countTransitions,
  iterationSpans,
  mapLength,
  peakConcurrency,
  stageSpan,
  StateNotInHistory,
  visits,
} from '../../../bench/deploy/history';
import { measuredPollMs, stageTimings, workOf } from '../../../bench/deploy/pipeline';
import { executionSpanMs, toTimeline, type HistoryEventLike } from '../../../bench/deploy/timeline';

/** Builds a history in the shape GetExecutionHistory returns through the SDK (Date timestamps, typed details). */
class HistoryBuilder {
  readonly events: HistoryEventLike[] = [];
  private add(type: string, at: number, details?: Record<string, unknown>) {
    const key = type.endsWith('StateEntered') ? 'stateEnteredEventDetails' : type.endsWith('StateExited') ? 'stateExitedEventDetails' : `${type[0].toLowerCase()}${type.slice(1)}EventDetails`;
    this.events.push({ id: this.events.length + 1, type, timestamp: new Date(at), ...(details ? { [key]: details } : {}) });
    return this;
  }
  started(at: number) {
    return this.add('ExecutionStarted', at, { input: '{}' });
  }
  succeeded(at: number) {
    return this.add('ExecutionSucceeded', at, { output: '{}' });
  }
  state(name: string, type: string, from: number, to: number) {
    this.add(`${type}StateEntered`, from, { name, input: '{}' });
    if (type === 'Task') this.add('LambdaFunctionScheduled', from).add('LambdaFunctionStarted', from).add('LambdaFunctionSucceeded', to);
    return this.add(`${type}StateExited`, to, { name, output: '{}' });
  }
  enter(name: string, type: string, at: number) {
    return this.add(`${type}StateEntered`, at, { name, input: '{}' });
  }
  exit(name: string, type: string, at: number) {
    return this.add(`${type}StateExited`, at, { name, output: '{}' });
  }
  mapStarted(length: number, at: number) {
    return this.add('MapStateStarted', at, { length });
  }
  iteration(map: string, index: number, event: 'Started' | 'Succeeded' | 'Failed', at: number) {
    return this.add(`MapIteration${event}`, at, { name: map, index });
  }
}

const T0 = Date.UTC(2026, 0, 1);

/** Plan, a Map of three items at most two at a time, a wait loop of two rounds, done. */
function sampleHistory() {
  return new HistoryBuilder()
    .started(T0)
    .state('Plan', 'Task', T0 + 1, T0 + 101)
    .enter('Builds', 'Map', T0 + 101)
    .mapStarted(3, T0 + 101)
    .iteration('Builds', 0, 'Started', T0 + 102)
    .iteration('Builds', 1, 'Started', T0 + 102)
    .state('Build', 'Task', T0 + 102, T0 + 300)
    .state('Build', 'Task', T0 + 102, T0 + 400)
    .iteration('Builds', 0, 'Succeeded', T0 + 300)
    .iteration('Builds', 2, 'Started', T0 + 300)
    .state('Build', 'Task', T0 + 300, T0 + 500)
    .iteration('Builds', 1, 'Succeeded', T0 + 400)
    .iteration('Builds', 2, 'Succeeded', T0 + 500)
    .exit('Builds', 'Map', T0 + 500)
    .state('Ensure', 'Task', T0 + 500, T0 + 550)
    .state('Wait', 'Wait', T0 + 550, T0 + 1550)
    .state('Check', 'Task', T0 + 1550, T0 + 1560)
    .state('Ready?', 'Choice', T0 + 1560, T0 + 1560)
    .state('Wait', 'Wait', T0 + 1560, T0 + 2560)
    .state('Check', 'Task', T0 + 2560, T0 + 2580)
    .state('Ready?', 'Choice', T0 + 2580, T0 + 2581)
    .state('Done', 'Succeed', T0 + 2581, T0 + 2581)
    .succeeded(T0 + 2582).events;
}

describe('toTimeline', () => {
  it('keeps type, epoch milliseconds, state name, iteration index and Map length', () => {
    const timeline = toTimeline(sampleHistory());
    expect(timeline[0]).toEqual({ id: 1, type: 'ExecutionStarted', atMs: T0 });
    expect(timeline[1]).toEqual({ id: 2, type: 'TaskStateEntered', atMs: T0 + 1, name: 'Plan' });
    expect(timeline.find((e) => e.type === 'MapStateStarted')).toMatchObject({ length: 3 });
    expect(timeline.find((e) => e.type === 'MapIterationStarted')).toMatchObject({ name: 'Builds', index: 0 });
    expect(executionSpanMs(timeline)).toBe(2582);
  });

  it('rejects an event without a timestamp', () => {
    expect(() => toTimeline([{ id: 1, type: 'ExecutionStarted' }])).toThrow(RangeError);
  });
});

describe('countTransitions', () => {
  it('counts StateEntered events (what Standard bills) per state, and every event of the history', () => {
    const timeline = toTimeline(sampleHistory());
    const count = countTransitions(timeline);
    // Plan, Builds, 3 × Build, Ensure, 2 × (Wait, Check, Ready?), Done
    expect(count.transitions).toBe(13);
    expect(count.byState).toEqual({ Plan: 1, Builds: 1, Build: 3, Ensure: 1, Wait: 2, Check: 2, 'Ready?': 2, Done: 1 });
    expect(count.historyEvents).toBe(timeline.length);
    expect(count.historyEvents).toBe(sampleHistory().length);
  });

  it('counts nothing in a history without states', () => {
    expect(countTransitions(toTimeline(new HistoryBuilder().started(T0).succeeded(T0 + 1).events))).toEqual({ transitions: 0, historyEvents: 2, byState: {} });
  });
});

describe('stage timings', () => {
  const timeline = toTimeline(sampleHistory());

  it('spans a stage from the first entry of its first state to the last exit of its last', () => {
    expect(stageSpan(timeline, 'Plan')).toEqual({ startMs: T0 + 1, endMs: T0 + 101 });
    expect(stageSpan(timeline, 'Ensure', 'Ready?')).toEqual({ startMs: T0 + 500, endMs: T0 + 2581 });
    expect(() => stageSpan(timeline, 'Nowhere')).toThrow(StateNotInHistory);
  });

  it('pairs the visits of a sequential state', () => {
    expect(visits(timeline, 'Wait').map((v) => v.endMs - v.startMs)).toEqual([1000, 1000]);
  });

  it('times each Map iteration by index and finds how many ran at once', () => {
    const spans = iterationSpans(timeline, 'Builds');
    expect(spans.map((s) => [s.index, s.startMs - T0, s.endMs - T0])).toEqual([
      [0, 102, 300],
      [1, 102, 400],
      [2, 300, 500],
    ]);
    expect(peakConcurrency(spans)).toBe(2);
    expect(mapLength(timeline, 'Builds')).toBe(3);
    expect(() => mapLength(timeline, 'Clusters')).toThrow(StateNotInHistory);
  });
});

describe('peakConcurrency', () => {
  it('does not count intervals that only touch as overlapping', () => {
    expect(peakConcurrency([{ startMs: 0, endMs: 10 }, { startMs: 10, endMs: 20 }])).toBe(1);
    expect(peakConcurrency([{ startMs: 0, endMs: 10 }, { startMs: 5, endMs: 15 }, { startMs: 6, endMs: 7 }])).toBe(3);
    expect(peakConcurrency([])).toBe(0);
  });
});

describe('stageTimings of a deployment', () => {
  /** The deploy machine's stages in order, two images at once, one service cluster, servers ready at round 2. */
  function deploymentHistory() {
    const h = new HistoryBuilder().started(T0).state('Plan', 'Task', T0 + 2, T0 + 202);
    h.enter('BuildImages', 'Map', T0 + 202).mapStarted(2, T0 + 202);
    h.iteration('BuildImages', 0, 'Started', T0 + 203).iteration('BuildImages', 1, 'Started', T0 + 203);
    for (let round = 0; round < 3; round++) h.state('WaitBuild', 'Wait', T0 + 300 + round * 1000, T0 + 1300 + round * 1000);
    h.iteration('BuildImages', 0, 'Succeeded', T0 + 3300).iteration('BuildImages', 1, 'Succeeded', T0 + 3400).exit('BuildImages', 'Map', T0 + 3400);
    h.state('StoreConfig', 'Task', T0 + 3400, T0 + 3900);
    h.state('ServersEnsure', 'Task', T0 + 3900, T0 + 4000);
    h.state('ServersWait', 'Wait', T0 + 4000, T0 + 5000).state('ServersCheck', 'Task', T0 + 5000, T0 + 5020).state('ServersReady?', 'Choice', T0 + 5020, T0 + 5020);
    h.state('ServersWait', 'Wait', T0 + 5020, T0 + 6020).state('ServersCheck', 'Task', T0 + 6020, T0 + 6040).state('ServersReady?', 'Choice', T0 + 6040, T0 + 6041);
    h.state('ApplyConfigEntries', 'Task', T0 + 6041, T0 + 6300);
    h.enter('ServiceClusters', 'Map', T0 + 6300).mapStarted(1, T0 + 6300).iteration('ServiceClusters', 0, 'Started', T0 + 6301);
    h.iteration('ServiceClusters', 0, 'Succeeded', T0 + 9000).exit('ServiceClusters', 'Map', T0 + 9000);
    h.state('Summarize', 'Task', T0 + 9000, T0 + 9300).state('Deployed', 'Succeed', T0 + 9300, T0 + 9300);
    return toTimeline(h.succeeded(T0 + 9301).events);
  }

  it('times each stage from the execution start, with rounds, labelled iterations and their overlap', () => {
    const timings = stageTimings(deploymentHistory(), { BuildImages: ['consul-server', 'users'], ServiceClusters: ['cluster-1'] });
    expect(timings.map((t) => t.stage)).toEqual(['Plan', 'BuildImages', 'StoreConfig', 'Servers', 'ApplyConfigEntries', 'ServiceClusters', 'Summarize']);
    const byStage = Object.fromEntries(timings.map((t) => [t.stage, t]));
    expect(byStage.Plan).toMatchObject({ startMs: 2, endMs: 202, durationMs: 200 });
    expect(byStage.Servers).toMatchObject({ startMs: 3900, endMs: 6041, rounds: 2 });
    expect(byStage.BuildImages.iterations).toEqual([
      { label: 'consul-server', startMs: 203, endMs: 3300, durationMs: 3097 },
      { label: 'users', startMs: 203, endMs: 3400, durationMs: 3197 },
    ]);
    expect(byStage.BuildImages).toMatchObject({ rounds: 3, peakConcurrency: 2 });
    expect(workOf(timings)).toEqual({ plan: 200, storeConfig: 500, applyConfigEntries: 259, summarize: 300 });
    expect(measuredPollMs(deploymentHistory())).toBe(1000);
  });
});
