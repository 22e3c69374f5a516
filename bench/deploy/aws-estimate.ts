/**
 * State transitions and cost of one deployment on AWS, extrapolated from a measured execution.
 *
 * A deployment's transitions are a fixed part (every state visited once or a known number of times) plus its wait
 * loops' rounds: each round visits the loop's states once. The fixed part is what remains of a measured execution
 * once its own rounds are taken out; the AWS figure adds the rounds the AWS delays and poll interval imply.
 */
import { pollRounds } from './critical-path';

/** Step Functions Standard: $0.025 per 1,000 state transitions (us-east-1; the first 4,000 a month are free). */
export const USD_PER_1000_TRANSITIONS = 0.025;

/** One kind of wait loop of the deploy state machine. */
export type WaitLoop = {
  /** The loop's Wait state; its entries in a history count the rounds. */
  waitState: string;
  /** States visited per round (the loop's length in the ASL). */
  statesPerRound: number;
  /** History events per round. */
  historyEventsPerRound: number;
  /** Loops of this kind in one deployment: one per image, one per service cluster, one for the servers. */
  instances: number;
  /** What each instance waits for on AWS. */
  awsDelayMs: number;
};

/** What was counted in one measured execution. */
export type ObservedExecution = {
  transitions: number;
  historyEvents: number;
  /** Entries of each loop's Wait state, over all its instances. */
  roundsByWaitState: Record<string, number>;
};

export type LoopEstimate = {
  waitState: string;
  instances: number;
  /** Rounds per instance on AWS. */
  rounds: number;
  statesPerRound: number;
  transitions: number;
};

export type DeploymentEstimate = {
  fixedTransitions: number;
  fixedHistoryEvents: number;
  loops: LoopEstimate[];
  transitions: number;
  historyEvents: number;
  costUsd: number;
};

/** The cost of `transitions` state transitions at `usdPer1000` dollars per thousand. */
export function transitionCostUsd(transitions: number, usdPer1000: number = USD_PER_1000_TRANSITIONS): number {
  if (!(transitions >= 0)) throw new RangeError(`transitions must be >= 0, got ${transitions}`);
  return (transitions / 1000) * usdPer1000;
}

/**
 * The transitions and history events of one deployment on AWS, with `pollMs` between checks.
 *
 * @example
 * // A scaled run: 269 transitions, of which 48 build rounds × 4 states, 15 stage rounds × 3 → 32 fixed.
 * // On AWS: 32 + 6 images × 18 rounds × 4 + 6 × 3 + 2 clusters × 7 × 3 + 7 × 3 = 545.
 * estimateOnAws(observed, loops, 10_000).transitions; // 545
 */
export function estimateOnAws(observed: ObservedExecution, loops: readonly WaitLoop[], pollMs: number): DeploymentEstimate {
  let fixedTransitions = observed.transitions;
  let fixedHistoryEvents = observed.historyEvents;
  for (const loop of loops) {
    const rounds = observed.roundsByWaitState[loop.waitState] ?? 0;
    fixedTransitions -= rounds * loop.statesPerRound;
    fixedHistoryEvents -= rounds * loop.historyEventsPerRound;
  }
  if (fixedTransitions < 0 || fixedHistoryEvents < 0) {
    throw new RangeError('the loops account for more transitions than the execution had: the loop lengths do not match the history');
  }
  const estimates = loops.map((loop): LoopEstimate => {
    const rounds = pollRounds(loop.awsDelayMs, pollMs);
    return { waitState: loop.waitState, instances: loop.instances, rounds, statesPerRound: loop.statesPerRound, transitions: loop.instances * rounds * loop.statesPerRound };
  });
  const transitions = fixedTransitions + estimates.reduce((total, loop) => total + loop.transitions, 0);
  const historyEvents = fixedHistoryEvents + loops.reduce((total, loop, i) => total + loop.instances * estimates[i].rounds * loop.historyEventsPerRound, 0);
  return { fixedTransitions, fixedHistoryEvents, loops: estimates, transitions, historyEvents, costUsd: transitionCostUsd(transitions) };
}

/**
 * The estimate's arithmetic in one line, e.g.
 * `35 fixed + WaitBuild 6 × 18 rounds × 4 + … = 548 transitions × $0.025/1,000 = $0.0137`.
 */
export function renderEstimateArithmetic(estimate: DeploymentEstimate): string {
  const loops = estimate.loops.map((l) => `${l.waitState} ${l.instances} × ${l.rounds} rounds × ${l.statesPerRound}`).join(' + ');
  return `${estimate.fixedTransitions} fixed + ${loops} = ${estimate.transitions} transitions × $${USD_PER_1000_TRANSITIONS}/1,000 = $${estimate.costUsd.toFixed(4)}`;
}
