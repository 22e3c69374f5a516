/**
 * The two conditions a deployment is measured under: no simulated delays (the pipeline's own cost), and AWS's
 * delays scaled down by a constant factor so a run takes seconds instead of minutes.
 */
import type { EcsDelays } from '@consul-mesh/local-cloud';
import type { DelayModel } from './critical-path';

/** Everything a worker needs to start its local cloud and deploy (plain JSON: it crosses a process boundary). */
export type Scenario = {
  name: string;
  ecsDelays: EcsDelays;
  buildDurationMs: number;
  /** Multiplies fixed Wait `Seconds` and Retry intervals; 0 also skips `SecondsPath` waits (the local cloud's rule). */
  stepFunctionsTimeScale: number;
  eventRetryDelaysMs: number[];
  /** The deployment input's `settings`. */
  settings: { pollSeconds: number; maxRounds: number };
  /** Also deploy the same spec again (nothing should change). */
  redeploy: boolean;
  /** A deployment that has not ended after this long fails the benchmark. */
  timeoutMs: number;
  /** IAM enforcement of the local cloud (default on, as in the tests); the iam benchmark compares it with off. */
  iam?: boolean;
};

/**
 * No simulated delays and no waiting between polls (`pollSeconds: 0` with time scale 0): each deployment is
 * bounded by its own work. The same settings as the deploy integration tests.
 */
export const ZERO_DELAYS: Scenario = {
  name: 'zero-delays',
  ecsDelays: { provisioningMs: 0, pendingMs: 0, activatingMs: 0, runningMs: 0, stoppingMs: 0, restartBackoffMs: 5, maxRestartBackoffMs: 20 },
  buildDurationMs: 0,
  stepFunctionsTimeScale: 0,
  eventRetryDelaysMs: [20, 40],
  settings: { pollSeconds: 0, maxRounds: 400 },
  redeploy: true,
  timeoutMs: 60_000,
};

/**
 * Delays as on AWS, in AWS milliseconds. A Fargate task start of 20 s split into its lifecycle steps (ENI
 * attachment, image pull, container start); the first health check result 8 s after RUNNING (a container health
 * check first runs one interval after the container starts and may take its whole timeout: the reference spec's
 * 5 s + 3 s); and a 60 s image build.
 */
export const AWS_LIKE_DELAYS = {
  provisioningMs: 5_000,
  pendingMs: 12_000,
  activatingMs: 3_000,
  healthMs: 8_000,
  buildMs: 60_000,
  /** Lambda's retries of a failed asynchronous (EventBridge) delivery: 1 min, then 2 min. */
  eventRetryDelaysMs: [60_000, 120_000],
} as const;

/**
 * 1/8: a 20 s task start takes 2.5 s, a service task's start with its first health result 3.5 s and a 60 s build
 * 7.5 s. Step Functions waits on `SecondsPath` are not scaled by the local cloud (only fixed `Seconds` and Retry
 * intervals are, and only 0 skips path waits), so the loops poll with a real `pollSeconds: 1`, which stands for 8 s
 * on AWS. Each scaled delay ends half a poll interval from a check: a check comes a little later than a whole
 * number of intervals after the delay began (the ensure step and earlier checks take time), so a delay ending just
 * past a whole interval would make the round it is noticed in a race.
 */
export const TIME_SCALE = 1 / 8;

/** AWS's delays multiplied by `scale`, polling every second. */
export function scaledScenario(scale: number = TIME_SCALE): Scenario {
  if (!(scale > 0 && scale <= 1)) throw new RangeError(`scale must be within (0, 1], got ${scale}`);
  const at = (ms: number) => Math.round(ms * scale);
  return {
    name: 'realistic-delays',
    ecsDelays: {
      provisioningMs: at(AWS_LIKE_DELAYS.provisioningMs),
      pendingMs: at(AWS_LIKE_DELAYS.pendingMs),
      activatingMs: at(AWS_LIKE_DELAYS.activatingMs),
      runningMs: at(AWS_LIKE_DELAYS.healthMs),
      stoppingMs: at(1_000),
      restartBackoffMs: at(2_000),
      maxRestartBackoffMs: at(60_000),
    },
    buildDurationMs: at(AWS_LIKE_DELAYS.buildMs),
    stepFunctionsTimeScale: scale,
    eventRetryDelaysMs: AWS_LIKE_DELAYS.eventRetryDelaysMs.map(at),
    settings: { pollSeconds: 1, maxRounds: 100 },
    redeploy: true,
    timeoutMs: 120_000,
  };
}

/**
 * The delays a scenario gives the deployment, as the critical path sees them. At time scale 0 the local cloud
 * skips `SecondsPath` waits, so the loops poll continuously whatever `pollSeconds` says.
 */
export function delayModelOf(scenario: Scenario): DelayModel {
  const { provisioningMs, pendingMs, activatingMs, runningMs } = scenario.ecsDelays;
  return {
    taskStartMs: provisioningMs + pendingMs + activatingMs,
    healthMs: runningMs,
    buildMs: scenario.buildDurationMs,
    pollMs: scenario.stepFunctionsTimeScale === 0 ? 0 : scenario.settings.pollSeconds * 1000,
  };
}

/** The AWS delays of the cost estimate: task starts of about a minute and 3-minute builds, polled every 10 s. */
export const AWS_ESTIMATE_DELAYS: DelayModel = { taskStartMs: 60_000, healthMs: AWS_LIKE_DELAYS.healthMs, buildMs: 180_000, pollMs: 10_000 };
