/**
 * The data that flows through the rollout state machine (state-machines/rollout-service.asl.json) and that the
 * HTTP API reads back from its executions. Plain JSON, far below Step Functions' 256 KB payload limit.
 */
import type { ImageJob } from '../deploy/images';

/** What a caller asks for: a new image (or a build context to build one), optionally a new desired count. */
export interface RolloutRequest {
  image?: string;
  build?: { context: string; contentHash: string; dockerfile: string };
  desiredCount?: number;
  /** Overrides the spec's `rollout.bakeSeconds` for this rollout. */
  bakeSeconds?: number;
}

/** The execution input: `{ rolloutId, service, request, settings }`. */
export interface RolloutInput {
  rolloutId: string;
  service: string;
  request: RolloutRequest;
  settings: { pollSeconds: number; maxRounds: number };
}

/** The ECS deployment settings of the spec's `rollout` block, as UpdateService takes them. */
export interface RolloutDeploymentConfiguration {
  minimumHealthyPercent: number;
  maximumPercent: number;
  deploymentCircuitBreaker: { enable: boolean; rollback: boolean };
}

/** The output of the Prepare step (`$.prepared`): where the service runs, what runs now, how to roll. */
export interface PreparedRollout {
  mesh: string;
  rolloutId: string;
  service: string;
  cluster: string;
  /** The service's app container in its task definition. */
  container: string;
  /** The revision running before the rollout: what a rollback returns to. */
  previousTaskDefinitionArn: string;
  previousDesiredCount: number;
  desiredCount: number;
  /** The image to run, when given; otherwise `build` says what to build. */
  image?: string;
  build?: ImageJob;
  deploymentConfiguration: RolloutDeploymentConfiguration;
  pollSeconds: number;
  maxRounds: number;
  bakeSeconds: number;
  /** The bake is `bakeRounds` checks, `bakeIntervalSeconds` apart (≈ bakeSeconds in all). */
  bakeRounds: number;
  bakeIntervalSeconds: number;
  /** The service's rollout lock in SSM and its holder (the execution id). */
  lockName: string;
  lockHolder: string;
}

/** The output of the Register step (`$.revision`). */
export interface RegisteredRevision {
  taskDefinitionArn: string;
  imageUri: string;
  /** False when the family's latest ACTIVE revision already was the wanted one (nothing registered). */
  created: boolean;
  /** True when the wanted revision is the one already running (and the desired count unchanged). */
  unchanged: boolean;
}

export type CheckPhase = 'stabilize' | 'bake' | 'rollback';

/** One round of a wait loop (`$.check` while rolling forward, `$.rollback` while rolling back). */
export interface RolloutCheck {
  phase: CheckPhase;
  /** The revision the service must run. */
  taskDefinitionArn: string;
  ready: boolean;
  round: number;
  waitingFor: string;
  desiredCount: number;
  runningCount: number;
  pendingCount: number;
  /** Running tasks of the wanted revision that Consul has registered and passing. */
  registeredPassing?: number;
  rolloutState?: string;
  /** Epoch ms of the first round that found the new revision stable and passing: the bake starts there. */
  readyAt?: number;
  bakeRound: number;
}

/** The execution's output on success. */
export interface RolloutResult {
  rolloutId: string;
  mesh: string;
  service: string;
  cluster: string;
  imageUri: string;
  /** The revision that runs now (the new one). */
  liveTaskDefinitionArn: string;
  previousTaskDefinitionArn: string;
  desiredCount: number;
  unchanged: boolean;
}

/** The execution's cause on failure, as JSON. */
export interface RolloutFailure {
  service: string;
  /** The step that failed: prepare, build, register, update, stabilize, bake, rollback. */
  step: string;
  error: string;
  message: string;
  /** True when the service was returned to its previous revision. */
  rolledBack: boolean;
  /** The revision that runs after the rollout ended (the previous one after a rollback). */
  liveTaskDefinitionArn?: string;
  failedTaskDefinitionArn?: string;
  /** The ECS stopped reason of the last failed task of the service, when ECS still remembers one. */
  detail?: string;
}
