/**
 * The deploy state machine's stages as the benchmark reports them, each tied to the ASL states it consists of,
 * and the stage timings, shape and wait loops read from one execution.
 */
import { loopHistoryEvents, loopStates, mapMaxConcurrency, type AslDefinition } from './asl';
import type { WaitLoop } from './aws-estimate';
import type { DelayModel, PipelineShape, WorkMs } from './critical-path';
import { countTransitions, iterationSpans, mapLength, peakConcurrency, stageSpan, visits } from './history';
import type { TimelineEvent } from './timeline';

/** A stage: from the first entry of `from` to the last exit of `to`; `map` for a Map stage, `wait` for its loop. */
type StageDefinition = { stage: string; from: string; to?: string; map?: string; wait?: string; optional?: boolean };

/** In execution order. The critical path's terms carry the same stage names. */
export const STAGES: readonly StageDefinition[] = [
  { stage: 'Plan', from: 'Plan' },
  { stage: 'BuildImages', from: 'BuildImages', map: 'BuildImages', wait: 'WaitBuild' },
  { stage: 'StoreConfig', from: 'StoreConfig' },
  { stage: 'Servers', from: 'ServersEnsure', to: 'ServersReady?', wait: 'ServersWait' },
  { stage: 'ApplyConfigEntries', from: 'ApplyConfigEntries' },
  { stage: 'ServiceClusters', from: 'ServiceClusters', map: 'ServiceClusters', wait: 'ClusterWait', optional: true },
  { stage: 'Ingress', from: 'IngressEnsure', to: 'IngressReady?', wait: 'IngressWait', optional: true },
  { stage: 'Summarize', from: 'Summarize' },
];

export type IterationTiming = { label: string; startMs: number; endMs: number; durationMs: number };

/** A stage's timing, in milliseconds from the execution's start. */
export type StageTiming = {
  stage: string;
  startMs: number;
  endMs: number;
  durationMs: number;
  /** Wait-loop rounds over all the stage's loops (e.g. 6 images × 8). */
  rounds?: number;
  iterations?: IterationTiming[];
  /** The most iterations that ran at the same time. */
  peakConcurrency?: number;
};

/** Each stage's start, end and rounds, with Map iterations labelled from `mapItems`. */
export function stageTimings(timeline: readonly TimelineEvent[], mapItems: Record<string, string[]>): StageTiming[] {
  const origin = timeline.find((e) => e.type === 'ExecutionStarted')?.atMs ?? timeline[0]?.atMs ?? 0;
  const { byState } = countTransitions(timeline);
  const timings: StageTiming[] = [];
  for (const definition of STAGES) {
    if (definition.optional && !byState[definition.from]) continue;
    const span = stageSpan(timeline, definition.from, definition.to);
    const timing: StageTiming = { stage: definition.stage, startMs: span.startMs - origin, endMs: span.endMs - origin, durationMs: span.endMs - span.startMs };
    if (definition.wait) timing.rounds = byState[definition.wait] ?? 0;
    if (definition.map) {
      const spans = iterationSpans(timeline, definition.map);
      timing.iterations = spans.map((s) => ({
        label: mapItems[definition.map as string]?.[s.index] ?? `#${s.index}`,
        startMs: s.startMs - origin,
        endMs: s.endMs - origin,
        durationMs: s.endMs - s.startMs,
      }));
      timing.peakConcurrency = peakConcurrency(spans);
    }
    timings.push(timing);
  }
  return timings;
}

/** The durations of the stages that only compute (no simulated delay), for the critical path. */
export function workOf(timings: readonly StageTiming[]): WorkMs {
  const duration = (stage: string) => {
    const timing = timings.find((t) => t.stage === stage);
    if (!timing) throw new RangeError(`no timing for stage ${stage}`);
    return timing.durationMs;
  };
  return { plan: duration('Plan'), storeConfig: duration('StoreConfig'), applyConfigEntries: duration('ApplyConfigEntries'), summarize: duration('Summarize') };
}

/** How many images, service clusters and whether an ingress this execution deployed. */
export function shapeOf(timeline: readonly TimelineEvent[], definition: AslDefinition): PipelineShape {
  const { byState } = countTransitions(timeline);
  return {
    images: mapLength(timeline, 'BuildImages'),
    buildConcurrency: mapMaxConcurrency(definition, 'BuildImages'),
    serviceClusters: byState.ServiceClusters ? mapLength(timeline, 'ServiceClusters') : 0,
    hasIngress: (byState.IngressEnsure ?? 0) > 0,
  };
}

/** The mean time the sequential Wait states (servers, ingress) actually waited: the poll interval as run. */
export function measuredPollMs(timeline: readonly TimelineEvent[]): number | undefined {
  const waited = [...visits(timeline, 'ServersWait'), ...visits(timeline, 'IngressWait')].map((v) => v.endMs - v.startMs);
  return waited.length > 0 ? waited.reduce((a, b) => a + b, 0) / waited.length : undefined;
}

/** The deployment's wait loops, their lengths from the ASL, and what each instance waits for under `delays`. */
export function waitLoops(definition: AslDefinition, shape: PipelineShape, delays: DelayModel): WaitLoop[] {
  const loop = (waitState: string, instances: number, awsDelayMs: number): WaitLoop => ({
    waitState,
    statesPerRound: loopStates(definition, waitState).length,
    historyEventsPerRound: loopHistoryEvents(definition, waitState),
    instances,
    awsDelayMs,
  });
  const serviceStartMs = delays.taskStartMs + delays.healthMs;
  return [
    loop('WaitBuild', shape.images, delays.buildMs),
    loop('ServersWait', 1, delays.taskStartMs),
    loop('ClusterWait', shape.serviceClusters, serviceStartMs),
    loop('IngressWait', shape.hasIngress ? 1 : 0, serviceStartMs),
  ];
}

/** Entries of each loop's Wait state in one execution: its rounds. */
export function roundsByWaitState(timeline: readonly TimelineEvent[], loops: readonly WaitLoop[]): Record<string, number> {
  const { byState } = countTransitions(timeline);
  return Object.fromEntries(loops.map((l) => [l.waitState, byState[l.waitState] ?? 0]));
}
