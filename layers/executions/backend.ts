import type { HistoryEvent } from '@aws-sdk/client-sfn';
import type { DeploymentProgress } from './progress';

/**
 * What `deploy`, `status` and the live view need from whatever runs deployments, and what the HTTP API's
 * deployment routes are built on. Two implementations: Step Functions itself (sfn-backend.ts: the API's own
 * store, and the CLI's direct mode) and the HTTP API (cli/http-backend.ts), which fills
 * `DeploymentDescription.progress` itself and returns no history.
 */
export interface DeploymentBackend {
  /**
   * Starts a deployment, or attaches to a running one of the very same spec.
   * @throws ConcurrentOperationError when another deployment of the mesh is running with a different spec.
   */
  start(request: StartRequest): Promise<StartedDeployment>;
  /** The deployment's status, and its output or cause once it has ended. */
  describe(id: string): Promise<DeploymentDescription>;
  /**
   * The history events with an id above `afterEventId`, oldest first. Polling passes the last id it has seen,
   * so a long run is not re-read every second.
   */
  history(id: string, afterEventId: number): Promise<HistoryEvent[]>;
  /** Deployments, newest first; `mesh` keeps only that mesh's. `limit` caps how many are returned. */
  list(filter: ListFilter): Promise<DeploymentListing[]>;
  /** Resolves what a user typed (an id, an execution name or ARN, a deployment id) to the id `describe` takes. */
  resolveId(reference: string): Promise<string>;
  /**
   * Stops a running deployment (what ECS already started keeps going; the next deployment brings it to its spec).
   * Its mesh lock is released, or taken over by the next deployment since its holder no longer runs.
   * @throws NotFoundError for an unknown id; AlreadyEndedError when it has already ended.
   */
  cancel(id: string): Promise<void>;
}

export interface StartRequest {
  mesh: string;
  deploymentId: string;
  /** First 12 hex of the sha256 of the canonical spec JSON. */
  specHash12: string;
  /** The whole execution input: `{ deploymentId, spec, settings }`. */
  input: DeploymentInput;
}

/** The execution input of the deploy state machine (what its Plan step reads). */
export interface DeploymentInput {
  deploymentId: string;
  /** The spec object with every build context's `contentHash` filled. */
  spec: unknown;
  settings: { pollSeconds: number; maxRounds: number };
}

export interface StartedDeployment {
  id: string;
  name: string;
  deploymentId: string;
  /** True when an execution of the same spec was already running and this call joined it instead of starting one. */
  attached: boolean;
}

/** Status values shared by Step Functions executions and the HTTP API's deployments. */
export type DeploymentStatus = 'RUNNING' | 'SUCCEEDED' | 'FAILED' | 'TIMED_OUT' | 'ABORTED' | 'PENDING_REDRIVE';

export interface DeploymentDescription {
  id: string;
  name: string;
  status: DeploymentStatus;
  deploymentId?: string;
  mesh?: string;
  startedAt?: Date;
  stoppedAt?: Date;
  /** The parsed output on success (a DeploymentSummary when the state machine ran to `Deployed`). */
  output?: unknown;
  error?: string;
  /** The raw cause on failure (JSON of a DeploymentFailure when RecordFailure ran). */
  cause?: string;
  /** Filled by backends that compute progress themselves; otherwise the watcher derives it from `history`. */
  progress?: DeploymentProgress;
}

export interface ListFilter {
  mesh?: string;
  status?: DeploymentStatus;
  limit?: number;
}

export interface DeploymentListing {
  id: string;
  name: string;
  status: DeploymentStatus;
  startedAt?: Date;
  stoppedAt?: Date;
  /** From the name, when this CLI made it. */
  deploymentId?: string;
  specHash12?: string;
}

/** True for the statuses a deployment never leaves (PENDING_REDRIVE turns back into RUNNING). */
export function isFinished(status: DeploymentStatus): boolean {
  return status === 'SUCCEEDED' || status === 'FAILED' || status === 'TIMED_OUT' || status === 'ABORTED';
}
