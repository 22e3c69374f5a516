/**
 * What the API benchmark measures and how much of it: every loop is bounded by a request count and by wall-clock
 * time, so the whole benchmark stays within about three minutes on a busy two-core machine.
 */
import type { LoadOptions } from '../lib/load';

/** A bounded loop of one request, measured in rounds (the rate per round, latencies pooled). */
export type LoopSettings = LoadOptions & { rounds: number };

/** A serial series of one-off requests, each followed by untimed work (parking, cancelling, settling). */
export type SeriesSettings = {
  /** Samples kept. One more is made first and reported apart: the first request of a fresh cloud is cold. */
  samples: number;
  /** No sample is started after this much wall-clock time (fewer samples are then reported). */
  maxDurationMs: number;
};

/** One at a time: the latency a lone caller sees. */
export const SERIAL: LoopSettings = { concurrency: 1, rounds: 3, maxRequests: 150, maxDurationMs: 2_000, warmup: 5 };

/** Eight callers at once: the rate the API sustains and the latency each caller sees under that load. */
export const CONCURRENT: LoopSettings = { concurrency: 8, rounds: 3, maxRequests: 400, maxDurationMs: 2_000, warmup: 16 };

/** POST /deployments that starts an execution: one deployment per mesh runs at a time, so starts are serial. */
export const STARTS: SeriesSettings = { samples: 30, maxDurationMs: 45_000 };

/**
 * Rollouts of `users`, alternating two images so that each one changes the running revision: a first one (the
 * rollout functions load on it) reported apart, then `count` whose median is the figure.
 */
export const ROLLOUTS = { count: 5, service: 'users', images: ['users:1.1.0', 'users:1.2.0'], maxDurationMs: 60_000 } as const;

/**
 * The poll interval given to deployments that are started only to be joined, refused or cancelled: with the
 * Step Functions time scale at 1 their first wait loop holds them idle for this long (the query's maximum), so
 * the measured requests do not compete with a deployment's work.
 */
export const PARKED_POLL_SECONDS = 300;

/** Time limits of the untimed steps between measurements (a step over its limit fails the benchmark). */
export const LIMITS = {
  /** A started deployment reaches a wait state and stays there. */
  parkMs: 15_000,
  /** History unchanged for this long (and ending in a wait state) counts as parked. */
  parkQuietMs: 100,
  /** The reference deployment through the API, to SUCCEEDED. */
  deployMs: 90_000,
  /** A rollout, to its end. */
  rolloutMs: 30_000,
  /** How often DescribeExecution and the history are read while waiting; bounds no figure (stopDate is exact). */
  pollIntervalMs: 20,
} as const;
