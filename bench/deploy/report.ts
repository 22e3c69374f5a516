/**
 * The figures of the deployment benchmark and how they are shown.
 */
import { BARE_RATIO_TARGET } from './bare-clients';
import type { DeploymentEstimate } from './aws-estimate';
import type { CriticalPath, DelayModel } from './critical-path';
import type { StageTiming } from './pipeline';
import type { Summary } from '../lib/stats';
import { formatCount, formatMs, type BenchmarkTable, type Cell } from '../lib/table';

export const ZERO_DELAY_TARGET_MS = 3_000;
export const CRITICAL_PATH_RATIO_TARGET = 1.1;

export type ZeroDelayFigures = {
  samples: number;
  /** `LocalCloud.start` in each worker: not part of any deployment figure. */
  cloudStartMs: Summary;
  freshWallMs: Summary;
  noChangeWallMs: Summary;
  freshTransitions: Summary;
  noChangeTransitions: Summary;
  freshHistoryEvents: Summary;
  noChangeHistoryEvents: Summary;
  /** Where a fresh deployment's time goes: each stage's duration over the samples. */
  freshStagesMs: Array<{ stage: string; durationMs: Summary }>;
};

export type RealisticFigures = {
  timeScale: number;
  /** The delays as given to the local cloud (scaled) and the poll interval the loops used. */
  delays: DelayModel;
  /** What the Wait states actually waited (mean), to show the poll interval was real. */
  measuredPollMs: number | undefined;
  wallMs: number;
  noChangeWallMs: number | undefined;
  criticalPath: CriticalPath;
  /** wall ÷ poll-aware critical path: the figure held against the target. */
  ratio: number;
  /** wall ÷ critical path without polling: what the poll interval itself costs on top. */
  ratioWithoutPolling: number;
  stages: StageTiming[];
  transitions: number;
  historyEvents: number;
  noChangeTransitions: number | undefined;
  noChangeHistoryEvents: number | undefined;
};

export type TransitionFigures = {
  /** Fixed part (transitions outside the wait loops) from each measured fresh deployment: they must agree. */
  fixedFromZeroDelays: number;
  fixedFromRealistic: number;
  aws: { delays: DelayModel; fresh: DeploymentEstimate; noChange: DeploymentEstimate; arithmetic: string };
};

export type BundleFigure = {
  name: string;
  handler: string;
  zipBytes: number;
  bundleBytes: number;
  sourceMapBytes: number;
  via: 'unzip' | 'esbuild';
  /** `require` in a fresh process with the function's environment (serverless.yml sets NODE_OPTIONS=--enable-source-maps). */
  requireMs: Summary;
  /** The same without NODE_OPTIONS. */
  requireMsWithoutSourceMaps: Summary;
  /** The bare esbuild bundle of the SDK clients the function calls (bench/deploy/bare-clients.ts), same options. */
  bare: BareFigure;
};

export type BareFigure = {
  /** `@aws-sdk/client-ssm`, ... */
  clients: string[];
  bundleBytes: number;
  sourceMapBytes: number;
  /** Sampled right after each of the function's samples, with the function's environment. */
  requireMs: Summary;
  requireMsWithoutSourceMaps: Summary;
  /** The function's bundle .js ÷ the bare bundle's. */
  sizeRatio: number;
  /** The function's median require ÷ the bare bundle's. */
  requireRatio: number;
};

const kib = (bytes: number) => `${(bytes / 1024).toFixed(0)} KiB`;
const range = (s: Summary, format: (n: number) => string) => `${format(s.min)}–${format(s.max)}`;
const verdict = (ok: boolean) => (ok ? 'yes' : 'NO');

export function zeroDelayTable(figures: ZeroDelayFigures): BenchmarkTable {
  const row = (what: string, s: Summary, target?: number): Cell[] => [
    what,
    s.count,
    formatMs(s.p50),
    range(s, formatMs),
    target === undefined ? '' : `< ${formatCount(target)}`,
    target === undefined ? '' : verdict(s.p50 < target),
  ];
  return {
    title: `zero simulated delays: StartExecution → SUCCEEDED, a fresh local cloud per sample (ms)`,
    columns: ['deployment', 'n', 'p50', 'min–max', 'target', 'met'],
    rows: [
      row('fresh (reference mesh)', figures.freshWallMs, ZERO_DELAY_TARGET_MS),
      row('no change (same spec again)', figures.noChangeWallMs),
      row('(cloud start, not counted)', figures.cloudStartMs),
    ],
  };
}

/** The stages of the zero-delay fresh deployments: what the pipeline's own work costs, stage by stage. */
export function zeroDelayStageTable(figures: ZeroDelayFigures): BenchmarkTable {
  return {
    title: `zero simulated delays: fresh deployment by stage (ms, over ${figures.samples} samples)`,
    columns: ['stage', 'p50', 'min–max'],
    rows: figures.freshStagesMs.map(({ stage, durationMs }) => [stage, formatMs(durationMs.p50), range(durationMs, formatMs)]),
  };
}

export function realisticTable(figures: RealisticFigures): BenchmarkTable {
  const path = figures.criticalPath;
  return {
    title: `realistic delays × ${figures.timeScale}: wall time against the critical path`,
    columns: ['figure', 'value'],
    rows: [
      ['task start / first health result / build (scaled)', `${formatMs(figures.delays.taskStartMs)} / ${formatMs(figures.delays.healthMs)} / ${formatMs(figures.delays.buildMs)} ms`],
      ['poll interval (set / measured)', `${formatMs(figures.delays.pollMs)} / ${figures.measuredPollMs === undefined ? '–' : formatMs(figures.measuredPollMs)} ms`],
      ['wall time, fresh deployment', `${formatMs(figures.wallMs)} ms`],
      ['critical path without polling', `${formatMs(path.ms)} ms`],
      ['critical path with polling (whole poll intervals)', `${formatMs(path.polledMs)} ms`],
      [`wall ÷ critical path with polling (target ≤ ${CRITICAL_PATH_RATIO_TARGET})`, `${figures.ratio.toFixed(3)} (${verdict(figures.ratio <= CRITICAL_PATH_RATIO_TARGET)})`],
      ['wall ÷ critical path without polling', figures.ratioWithoutPolling.toFixed(3)],
      ['wall time, no-change re-deploy', figures.noChangeWallMs === undefined ? '–' : `${formatMs(figures.noChangeWallMs)} ms`],
    ],
  };
}

/** Stages and Map iterations from the history, with the critical path's term for each stage. */
export function stageTable(figures: RealisticFigures): BenchmarkTable {
  const terms = new Map(figures.criticalPath.terms.map((t) => [t.stage, t]));
  const rows: Cell[][] = [];
  for (const stage of figures.stages) {
    const term = terms.get(stage.stage);
    rows.push([
      stage.stage,
      formatCount(stage.startMs),
      formatCount(stage.endMs),
      formatCount(stage.durationMs),
      stage.rounds ?? '',
      stage.peakConcurrency ?? '',
      term ? formatCount(term.ms) : '',
      term ? formatCount(term.polledMs) : '',
    ]);
    for (const iteration of stage.iterations ?? []) {
      rows.push([`  ${iteration.label}`, formatCount(iteration.startMs), formatCount(iteration.endMs), formatCount(iteration.durationMs), '', '', '', '']);
    }
  }
  return {
    title: 'realistic delays: stages from the execution history (ms from ExecutionStarted) and their critical-path terms',
    columns: ['stage', 'entered', 'exited', 'took', 'rounds', 'parallel', 'path', 'path+poll'],
    rows,
  };
}

export function transitionTable(zero: ZeroDelayFigures, realistic: RealisticFigures, transitions: TransitionFigures): BenchmarkTable {
  const usd = (n: number) => `$${n.toFixed(4)}`;
  const perThousand = (n: number) => (n / 1000) * 0.025;
  return {
    title: 'state transitions (StateEntered events, what Standard bills) and history events per deployment',
    columns: ['deployment', 'transitions', 'history events', 'cost'],
    rows: [
      ['zero delays, fresh (p50; continuous polling)', formatCount(zero.freshTransitions.p50), formatCount(zero.freshHistoryEvents.p50), usd(perThousand(zero.freshTransitions.p50))],
      ['zero delays, no change (p50)', formatCount(zero.noChangeTransitions.p50), formatCount(zero.noChangeHistoryEvents.p50), usd(perThousand(zero.noChangeTransitions.p50))],
      [`realistic × ${realistic.timeScale}, fresh`, formatCount(realistic.transitions), formatCount(realistic.historyEvents), usd(perThousand(realistic.transitions))],
      ...(realistic.noChangeTransitions === undefined
        ? []
        : [[`realistic × ${realistic.timeScale}, no change`, formatCount(realistic.noChangeTransitions), formatCount(realistic.noChangeHistoryEvents ?? 0), usd(perThousand(realistic.noChangeTransitions))]]),
      ['AWS estimate, fresh (tasks 60 s, builds 180 s, poll 10 s)', formatCount(transitions.aws.fresh.transitions), formatCount(transitions.aws.fresh.historyEvents), usd(transitions.aws.fresh.costUsd)],
      ['AWS estimate, no change', formatCount(transitions.aws.noChange.transitions), formatCount(transitions.aws.noChange.historyEvents), usd(transitions.aws.noChange.costUsd)],
    ],
  };
}

export function bundleTable(bundles: readonly BundleFigure[], samples: number, samplesWithoutSourceMaps: number): BenchmarkTable {
  const ratio = (r: number) => `${r.toFixed(2)}×`;
  const clients = (b: BundleFigure) => b.bare.clients.map((c) => c.replace(/^@aws-sdk\/client-/, '')).join('+') || '(none)';
  return {
    title:
      `bundled functions: size and cold start (require in a fresh node process, median of ${samples}; without NODE_OPTIONS median of ` +
      `${samplesWithoutSourceMaps}) against a bare bundle of the SDK clients each calls (targets: both ratios ≤ ${BARE_RATIO_TARGET}×)`,
    columns: [
      'function',
      'zip',
      'bundle .js',
      '.js.map',
      'require p50 ms',
      'min–max',
      'no source maps p50',
      'clients',
      'bare .js',
      'bare require p50',
      'size ratio',
      'require ratio',
      'met',
    ],
    rows: bundles.map((b) => [
      b.name,
      kib(b.zipBytes),
      kib(b.bundleBytes),
      kib(b.sourceMapBytes),
      formatMs(b.requireMs.p50),
      range(b.requireMs, formatMs),
      formatMs(b.requireMsWithoutSourceMaps.p50),
      clients(b),
      kib(b.bare.bundleBytes),
      formatMs(b.bare.requireMs.p50),
      ratio(b.bare.sizeRatio),
      ratio(b.bare.requireRatio),
      verdict(b.bare.sizeRatio <= BARE_RATIO_TARGET && b.bare.requireRatio <= BARE_RATIO_TARGET),
    ]),
  };
}

export function deployNotes(transitions: TransitionFigures, nodeVersion: string): string[] {
  return [
    'Wall time = StartExecution sent → the execution\'s stopDate (DescribeExecution), on the same clock; each sample runs in a fresh worker process with a fresh local cloud, so the first invocation of each handler (module load through tsx, clients, Consul token) is included, as a cold deployment would pay it.',
    'Zero delays: ECS lifecycle, CodeBuild and Step Functions waits are all 0 and pollSeconds is 0, so the wait loops re-check at once; their transition counts depend on how fast the machine is.',
    'Realistic delays: AWS durations × the time scale (ECS task lifecycle, first health result, CodeBuild). The local cloud does not scale SecondsPath waits (only fixed Seconds and Retry intervals; 0 skips them), so the loops poll with a real pollSeconds 1. The critical path rounds each waited delay up to whole poll intervals (path+poll); Lambda time inside the loops and event-driven registration are overhead, not terms.',
    `AWS transitions = the fixed part of a measured fresh deployment (its transitions minus its loop rounds × states per round; ${transitions.fixedFromRealistic} from the realistic run, ${transitions.fixedFromZeroDelays} from a zero-delay run) + each loop's rounds at a 10 s poll: ${transitions.aws.arithmetic}. A no-change deployment builds nothing and every stage is stable at its first check, so its count does not depend on the delays.`,
    `Cold start = process.hrtime around require(bundle) inside a new node process (${nodeVersion} here; Lambda runs nodejs22.x on arm64), with the function's environment from serverless.yml, including NODE_OPTIONS=--enable-source-maps; "no source maps" drops NODE_OPTIONS. Node's own start-up and the handlers' lazy first-invocation work (clients, config) are not included.`,
    `Bare bundle = esbuild with the functions' own options (custom.esbuild) of \`export * from\` each SDK client package in the function's bundle (its esbuild metafile), nothing else; built and timed in the same run, each sample of a function followed by one of its bare bundle. Size ratio = bundle .js ÷ bare .js; require ratio = median ÷ median (same environment). Targets ≤ ${BARE_RATIO_TARGET}× each.`,
  ];
}
