/**
 * The deployment pipeline: how long the reference deployment takes on the local cloud with no simulated delays,
 * how close it comes to its critical path with realistic (scaled) delays, how many state transitions it costs on
 * Step Functions, and the size and cold start of each bundled function.
 *
 * Deployments run in worker processes (one fresh local cloud each, see `deploy/worker.ts`); this process only
 * aggregates, packages the functions and times their cold starts against bare bundles of their SDK clients.
 */
import type { Benchmark, BenchmarkContext, BenchmarkReport } from './lib/benchmark';
import { summarize } from './lib/stats';
import { loadDefinition, type AslDefinition } from './deploy/asl';
import { estimateOnAws, renderEstimateArithmetic, type ObservedExecution, type WaitLoop } from './deploy/aws-estimate';
import { coldStartNode } from './deploy/cold-start';
import { criticalPath } from './deploy/critical-path';
import type { DeploymentMeasurement } from './deploy/execution';
import { countTransitions } from './deploy/history';
import { measuredPollMs, roundsByWaitState, shapeOf, stageTimings, waitLoops, workOf } from './deploy/pipeline';
import {
  bundleTable,
  deployNotes,
  realisticTable,
  stageTable,
  transitionTable,
  zeroDelayStageTable,
  zeroDelayTable,
  type RealisticFigures,
  type TransitionFigures,
  type ZeroDelayFigures,
} from './deploy/report';
import { runScenarioInWorker, type WorkerResult } from './deploy/run-worker';
import { AWS_ESTIMATE_DELAYS, AWS_LIKE_DELAYS, delayModelOf, scaledScenario, TIME_SCALE, ZERO_DELAYS } from './deploy/scenarios';
import { DEPLOY_ASL_FILE } from './deploy/spec';
import { measureBundles } from './deploy/measure-bundles';

/** Fresh clouds measured at zero delays. */
const ZERO_DELAY_SAMPLES = 5;
/** Cold-start samples per function and per bare bundle of its clients, with the function's own environment. */
const COLD_START_SAMPLES = 10;
/** Samples of the comparison without NODE_OPTIONS (fewer: it only shows what source-map support costs). */
const NO_SOURCE_MAP_SAMPLES = 5;

export const deployBenchmark: Benchmark = {
  name: 'deploy',
  description: 'reference deployment on the local cloud: wall time, critical-path ratio, state transitions; bundle sizes and cold starts',
  async run(context: BenchmarkContext): Promise<BenchmarkReport> {
    const definition = loadDefinition(DEPLOY_ASL_FILE);
    const zeroRuns = await runZeroDelays(context);
    const zero = zeroDelayFigures(zeroRuns);
    context.log(`realistic delays × ${TIME_SCALE}: one fresh deployment and a no-change re-deploy`);
    const realisticRun = await runScenarioInWorker(scaledScenario());
    const realistic = realisticFigures(definition, realisticRun);
    const transitions = transitionFigures(definition, zeroRuns[0], realisticRun);
    const coldNode = coldStartNode();
    const bundles = await measureBundles(context, coldNode.binary, { samples: COLD_START_SAMPLES, samplesWithoutSourceMaps: NO_SOURCE_MAP_SAMPLES });
    return {
      figures: {
        zeroDelays: zero,
        realistic,
        transitions,
        bundles: { samples: COLD_START_SAMPLES, samplesWithoutSourceMaps: NO_SOURCE_MAP_SAMPLES, functions: bundles },
        settings: {
          // Spread into plain objects: `EcsDelays` is an interface, which JSON types do not accept as such.
          zeroDelays: { ...ZERO_DELAYS, ecsDelays: { ...ZERO_DELAYS.ecsDelays } },
          realistic: { ...scaledScenario(), ecsDelays: { ...scaledScenario().ecsDelays } },
          awsLikeDelays: { ...AWS_LIKE_DELAYS, eventRetryDelaysMs: [...AWS_LIKE_DELAYS.eventRetryDelaysMs] },
        },
      },
      tables: [
        zeroDelayTable(zero),
        zeroDelayStageTable(zero),
        realisticTable(realistic),
        stageTable(realistic),
        transitionTable(zero, realistic, transitions),
        bundleTable(bundles, COLD_START_SAMPLES, NO_SOURCE_MAP_SAMPLES),
      ],
      notes: deployNotes(transitions, coldNode.version),
    };
  },
};

async function runZeroDelays(context: BenchmarkContext): Promise<WorkerResult[]> {
  const runs: WorkerResult[] = [];
  for (let sample = 1; sample <= ZERO_DELAY_SAMPLES; sample++) {
    context.log(`zero delays: fresh cloud ${sample} of ${ZERO_DELAY_SAMPLES}, fresh deployment and no-change re-deploy`);
    runs.push(await runScenarioInWorker(ZERO_DELAYS));
  }
  return runs;
}

function zeroDelayFigures(runs: readonly WorkerResult[]): ZeroDelayFigures {
  const noChange = runs.map((r) => {
    if (!r.noChange) throw new RangeError('a zero-delay sample has no no-change re-deploy');
    return r.noChange;
  });
  const counts = (measurements: readonly DeploymentMeasurement[]) => measurements.map((m) => countTransitions(m.timeline));
  const fresh = counts(runs.map((r) => r.fresh));
  const again = counts(noChange);
  const stages = runs.map((r) => stageTimings(r.fresh.timeline, r.fresh.mapItems));
  return {
    samples: runs.length,
    cloudStartMs: summarize(runs.map((r) => r.cloudStartMs)),
    freshWallMs: summarize(runs.map((r) => r.fresh.wallMs)),
    noChangeWallMs: summarize(noChange.map((m) => m.wallMs)),
    freshTransitions: summarize(fresh.map((c) => c.transitions)),
    noChangeTransitions: summarize(again.map((c) => c.transitions)),
    freshHistoryEvents: summarize(fresh.map((c) => c.historyEvents)),
    noChangeHistoryEvents: summarize(again.map((c) => c.historyEvents)),
    freshStagesMs: stages[0].map(({ stage }) => ({
      stage,
      durationMs: summarize(stages.flatMap((sample) => sample.filter((t) => t.stage === stage).map((t) => t.durationMs))),
    })),
  };
}

function realisticFigures(definition: AslDefinition, run: WorkerResult): RealisticFigures {
  const delays = delayModelOf(scaledScenario());
  const stages = stageTimings(run.fresh.timeline, run.fresh.mapItems);
  const path = criticalPath(delays, shapeOf(run.fresh.timeline, definition), workOf(stages));
  const counted = countTransitions(run.fresh.timeline);
  return {
    timeScale: TIME_SCALE,
    delays,
    measuredPollMs: measuredPollMs(run.fresh.timeline),
    wallMs: run.fresh.wallMs,
    noChangeWallMs: run.noChange?.wallMs,
    criticalPath: path,
    ratio: run.fresh.wallMs / path.polledMs,
    ratioWithoutPolling: run.fresh.wallMs / path.ms,
    stages,
    transitions: counted.transitions,
    historyEvents: counted.historyEvents,
    noChangeTransitions: run.noChange ? countTransitions(run.noChange.timeline).transitions : undefined,
    noChangeHistoryEvents: run.noChange ? countTransitions(run.noChange.timeline).historyEvents : undefined,
  };
}

function observed(run: DeploymentMeasurement, loops: readonly WaitLoop[]): ObservedExecution {
  const { transitions, historyEvents } = countTransitions(run.timeline);
  return { transitions, historyEvents, roundsByWaitState: roundsByWaitState(run.timeline, loops) };
}

function transitionFigures(definition: AslDefinition, zero: WorkerResult, realistic: WorkerResult): TransitionFigures {
  const shape = shapeOf(realistic.fresh.timeline, definition);
  const loops = waitLoops(definition, shape, AWS_ESTIMATE_DELAYS);
  const fresh = estimateOnAws(observed(realistic.fresh, loops), loops, AWS_ESTIMATE_DELAYS.pollMs);
  const fromZero = estimateOnAws(observed(zero.fresh, loops), loops, AWS_ESTIMATE_DELAYS.pollMs);
  // A no-change deployment finds every image in ECR (no build loop) and every stage stable at its first check.
  const noChangeLoops = loops.map((loop) => (loop.waitState === 'WaitBuild' ? { ...loop, instances: 0 } : { ...loop, awsDelayMs: 0 }));
  const noChangeRun = realistic.noChange ?? zero.noChange;
  if (!noChangeRun) throw new RangeError('no no-change deployment was measured');
  const noChange = estimateOnAws(observed(noChangeRun, noChangeLoops), noChangeLoops, AWS_ESTIMATE_DELAYS.pollMs);
  return {
    fixedFromZeroDelays: fromZero.fixedTransitions,
    fixedFromRealistic: fresh.fixedTransitions,
    aws: { delays: AWS_ESTIMATE_DELAYS, fresh, noChange, arithmetic: renderEstimateArithmetic(fresh) },
  };
}
