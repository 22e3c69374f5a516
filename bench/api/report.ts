/**
 * The API benchmark's figures and how they are shown: a table of requests, a table of rollouts and one of one-off
 * timings, with the notes that say what each figure includes.
 */
import type { LoadFigures } from '../lib/load';
import { median, summarize } from '../lib/stats';
import { formatCount, formatMs, type BenchmarkTable, type Cell } from '../lib/table';
import type { MainFigures } from './main-phase';
import type { SeriesFigures } from './figures';
import type { PostFigures } from './post-phase';
import type { RolloutSample } from './rollout';

/** Everything one run measured: each part's figures with its cloud's start time. */
export type ApiFigures = {
  main: MainFigures & { cloudStartMs: number };
  post: PostFigures & { cloudStartMs: number };
};

/** The medians of the measured rollouts (the cold one excluded), in ms from the request. */
export type RolloutMedians = { count: number; postMs: number; firstRegisteredMs: number; firstPassingMs: number; succeededMs: number };

export function rolloutMedians(samples: readonly RolloutSample[]): RolloutMedians {
  if (samples.length === 0) throw new RangeError('no rollout to take the median of');
  const of = (pick: (s: RolloutSample) => number) => median(samples.map(pick));
  return {
    count: samples.length,
    postMs: of((s) => s.postMs),
    firstRegisteredMs: of((s) => s.firstRegisteredMs),
    firstPassingMs: of((s) => s.firstPassingMs),
    succeededMs: of((s) => s.succeededMs),
  };
}

const REQUEST_COLUMNS = ['request', 'answer', 'conc', 'requests', 'rps p50', 'rps min–max', 'p50 ms', 'p99 ms', 'max ms'];

/** A bounded loop: its median rate per round and pooled latencies. */
export function loopRow(request: string, answer: string, load: LoadFigures): Cell[] {
  return [
    request,
    answer,
    load.concurrency,
    formatCount(load.requests),
    formatCount(load.rps.p50),
    `${formatCount(load.rps.min)}–${formatCount(load.rps.max)}`,
    formatMs(load.latencyMs.p50),
    formatMs(load.latencyMs.p99),
    formatMs(load.latencyMs.max),
  ];
}

/** A serial series of one-off requests: latencies only (the time between them is untimed work, not a rate). */
export function seriesRow(request: string, answer: string, series: SeriesFigures): Cell[] {
  return [request, answer, 1, formatCount(series.samples), '–', '–', formatMs(series.latencyMs.p50), formatMs(series.latencyMs.p99), formatMs(series.latencyMs.max)];
}

export function requestTable(figures: ApiFigures): BenchmarkTable {
  const { main, post } = figures;
  const rollouts = main.rollouts;
  return {
    title: 'HTTP API over loopback (fetch → gateway → authorizer → API function → Step Functions); rps = median of rounds, latency pooled',
    columns: REQUEST_COLUMNS,
    rows: [
      seriesRow('POST /deployments', '202 started', post.started),
      loopRow('POST /deployments', '202 joined (same spec)', post.attached.serial),
      loopRow('POST /deployments', '202 joined (same spec)', post.attached.concurrent),
      loopRow('POST /deployments', '409 (other spec)', post.conflict.serial),
      loopRow('POST /deployments', '409 (other spec)', post.conflict.concurrent),
      seriesRow('POST /deployments/{id}/cancel', '202 ABORTED', post.cancel),
      loopRow('GET /deployments/{id}', `200 SUCCEEDED (${formatCount(main.deploy.historyEvents)} events)`, main.getDeployment.serial),
      loopRow('GET /deployments/{id}', `200 SUCCEEDED (${formatCount(main.deploy.historyEvents)} events)`, main.getDeployment.concurrent),
      seriesRow('POST /services/{service}/rollouts', '202 started', { samples: rollouts.length, latencyMs: summarize(rollouts.map((r) => r.postMs)) }),
    ],
  };
}

export function rolloutTable(main: MainFigures): BenchmarkTable {
  const row = (label: string, s: RolloutSample): Cell[] => [
    label,
    s.image,
    s.revision,
    formatMs(s.postMs),
    formatMs(s.firstRegisteredMs),
    formatMs(s.firstPassingMs),
    formatMs(s.succeededMs),
  ];
  const medians = rolloutMedians(main.rollouts);
  return {
    title: 'Rollouts of users, zero simulated delays, bakeSeconds 0: ms from the POST to each point',
    columns: ['rollout', 'image', 'revision', 'POST 202', '1st new task in Consul', '1st new passing', 'SUCCEEDED'],
    rows: [
      row('cold (not in median)', main.coldRollout),
      ...main.rollouts.map((s, i) => row(`#${i + 1}`, s)),
      [
        `median of ${medians.count}`,
        '',
        '',
        formatMs(medians.postMs),
        formatMs(medians.firstRegisteredMs),
        formatMs(medians.firstPassingMs),
        formatMs(medians.succeededMs),
      ],
    ],
  };
}

export function oneOffTable(figures: ApiFigures): BenchmarkTable {
  return {
    title: 'One-off timings',
    columns: ['what', 'ms'],
    rows: [
      ['local cloud start (zero delays, time scale 0)', formatMs(figures.main.cloudStartMs)],
      ['local cloud start (time scale 1, for parked deployments)', formatMs(figures.post.cloudStartMs)],
      ['first POST /deployments of a fresh cloud (cold functions)', formatMs(figures.post.coldStartMs)],
      ['reference deployment through the API: POST → 202 (cold functions)', formatMs(figures.main.deploy.postMs)],
      ['reference deployment through the API: POST → SUCCEEDED', formatMs(figures.main.deploy.succeededMs)],
    ],
  };
}

export function buildApiTables(figures: ApiFigures): BenchmarkTable[] {
  return [requestTable(figures), rolloutTable(figures.main), oneOffTable(figures)];
}

export function apiNotes(figures: ApiFigures): string[] {
  return [
    'Each part runs in its own process with a fresh local cloud; client and cloud share that process and its event loop, so rates are a lower bound for an external client.',
    'One deployment per mesh runs at a time (the API joins the same spec and refuses another with 409), so "202 started" is a serial series: each started deployment is left, untimed, to park idle in a wait loop (time scale 1, pollSeconds 300) and is cancelled through the API before the next POST. Its rate is bounded by deployments, not by the API: no rps is given.',
    '"joined" and "409" are measured against one such parked deployment: the request is validated, the running executions are listed, and nothing starts.',
    `GET /deployments/{id} reads the deployment's whole history (${figures.main.deploy.historyEvents} events) to derive per-stage progress, and resolves the id by listing the state machine's executions: its cost grows with both.`,
    'Rollouts: "1st new task in Consul" is when a blocking query on /v1/health/service/users (bootstrap ACL token) first returns an instance whose task-definition-arn Meta is not a revision that ran before the request; "SUCCEEDED" is the rollout execution\'s stopDate. Images alternate so every rollout changes the revision.',
    `p99 of a serial series of ${figures.post.started.samples} samples is close to its max; the loops pool ${formatCount(figures.post.attached.serial.requests)}+ requests.`,
    `Between started deployments ${figures.post.labelsRemoved} deployment labels were removed from the configuration parameters: every deployment labels the same SSM parameter version when the configuration is unchanged, and SSM allows 10 labels per version, so without this the 11th deployment of an unchanged spec fails in StoreConfig (ParameterVersionLabelLimitExceeded).`,
  ];
}
