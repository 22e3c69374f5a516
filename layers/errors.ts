/**
 * The named errors of the orchestrator.
 *
 * A Lambda error's `name` becomes the `Error` a Step Functions `Retry`/`Catch` matches (`ErrorEquals`), and the
 * error mapper of the HTTP API turns them into 4xx answers. So: each class sets `name`, keeps its `cause`, and
 * nothing rewraps one into a plain `Error`. Every named error of the orchestrator is here, in one module: the ASL
 * files refer to these names (tests/unit/contract/state-machines.test.ts checks them).
 */
import type { SpecIssue } from './domain/spec/issues';

abstract class MeshError extends Error {
  abstract override readonly name: string;
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
  }
}

/** The mesh spec (or a request body) is invalid; `issues` name each path. Never retried. */
export class SpecInvalidError extends MeshError {
  override readonly name = 'SpecInvalid';
  constructor(readonly issues: SpecIssue[]) {
    super(`the mesh spec is invalid:\n${issues.map((i) => `  ${i.path}: ${i.message}`).join('\n')}`);
  }
}

/** Configuration read from the environment is missing or malformed (names the key). Never retried. */
export class ConfigError extends MeshError {
  override readonly name = 'ConfigError';
}

/** A CodeBuild build ended in FAILED, FAULT, TIMED_OUT or STOPPED; the message names the phase and reason. */
export class BuildFailedError extends MeshError {
  override readonly name = 'BuildFailed';
}

/** An ECS service did not become stable (yet); retried by the wait loop until its rounds run out. */
export class ServiceNotStableError extends MeshError {
  override readonly name = 'ServiceNotStable';
}

/** An ECS deployment failed (circuit breaker, tasks stopping); carries the ECS stopped reason. Not retried. */
export class DeploymentFailedError extends MeshError {
  override readonly name = 'DeploymentFailed';
}

/**
 * A dialer's deployment found no peering token of its acceptor (the acceptor's mesh was not deployed with this peer
 * yet), or none the acceptor accepts (its peering TERMINATED or deleted since the token was made, or the token used):
 * the message says which mesh to deploy in which region first. Not retried.
 */
export class PeeringTokenMissingError extends MeshError {
  override readonly name = 'PeeringTokenMissing';
}

/** A peering is not ACTIVE (yet); retried by the wait loop until its rounds run out, like ServiceNotStable. */
export class PeeringNotActiveError extends MeshError {
  override readonly name = 'PeeringNotActive';
}

/** Consul could not be reached or answered 5xx. Retried (Step Functions Retry, Lambda async retry). */
export class ConsulUnavailableError extends MeshError {
  override readonly name = 'ConsulUnavailable';
}

/** Consul refused the ACL token (403). Retried a few times (tokens may still be propagating), then fails. */
export class ConsulAclDeniedError extends MeshError {
  override readonly name = 'ConsulAclDenied';
}

/**
 * Whether `error` is Consul's refusal of the token: a ConsulAclDeniedError, or an error of that name built elsewhere
 * (another bundle's copy of this module, a test's stand-in).
 */
export function isConsulAclDenied(error: unknown): error is Error {
  return error instanceof ConsulAclDeniedError || (error instanceof Error && error.name === 'ConsulAclDenied');
}

/**
 * A mesh token exists in Consul with another SecretID than its SSM parameter holds: someone changed one of the two.
 * Not retried: rotating a token is an explicit operation (DESIGN.md section 9), never a side effect of a deployment.
 */
export class AclTokenMismatchError extends MeshError {
  override readonly name = 'AclTokenMismatch';
}

/** Consul has no leader yet (no quorum of servers running). Retried by the wait loop. */
export class NoConsulLeaderError extends MeshError {
  override readonly name = 'NoConsulLeader';
}

/** Another deployment of the same mesh (or rollout of the same service) holds the lock. */
export class ConcurrentOperationError extends MeshError {
  override readonly name = 'ConcurrentOperation';
}

/**
 * The mesh's Consul datacenter lost every server and is not restored yet (the marker is missing while a leader exists
 * and the mesh was deployed before), or its restore holds the mesh lock. The deployment's Plan step is retried on it
 * until the recovery function has restored the datacenter (deploy-mesh.asl.json).
 */
export class DatacenterRecoveringError extends MeshError {
  override readonly name = 'DatacenterRecovering';
}

/**
 * A stored secret is inconsistent in a way no deployment may repair on its own (e.g. a CA certificate whose key is
 * gone): regenerating it would change a secret that running tasks trust. Never retried; the message says what to do.
 */
export class SecretsInconsistentError extends MeshError {
  override readonly name = 'SecretsInconsistent';
}

/**
 * The spec asks for a change no deployment can make in place (a service's launch type or network mode): refused by the
 * Plan step before anything is written; the message names each change and what to do instead. Never retried.
 */
export class ChangeRefusedError extends MeshError {
  override readonly name = 'ChangeRefused';
}

/** A named resource (deployment, service, rollout) does not exist. */
export class NotFoundError extends MeshError {
  override readonly name = 'NotFound';
}

/** An event or request body does not have the expected shape (`issues` name each path). Never retried. */
export class InvalidInputError extends MeshError {
  override readonly name = 'InvalidInput';
  constructor(
    message: string,
    readonly issues: SpecIssue[] = [],
    options?: { cause?: unknown },
  ) {
    super(issues.length ? `${message}: ${issues.map((i) => `${i.path}: ${i.message}`).join('; ')}` : message, options);
  }
}

/**
 * A container's image was not resolved by the build stage (no `ctx.images[key]` and no fallback in the spec): a
 * wiring mistake between the build and deploy steps, not a user error. Never retried.
 */
export class ImageNotResolvedError extends MeshError {
  override readonly name = 'ImageNotResolved';
}

/**
 * An event (or a DescribeTasks task) that does not have the shape of an ECS task: retrying cannot fix it, so the
 * handler reports it (on-failure destination) instead of letting Lambda retry. `issues` name each bad path.
 */
export class InvalidEventError extends MeshError {
  override readonly name = 'InvalidEvent';
  constructor(
    readonly issues: SpecIssue[],
    options?: { cause?: unknown },
  ) {
    super(`not an ECS task state change:\n${issues.map((i) => `  ${i.path}: ${i.message}`).join('\n')}`, options);
  }
}

/** A task that cannot be registered in Consul (not a mesh service or gateway task, or no address yet). */
export class TaskNotRegistrableError extends MeshError {
  override readonly name = 'TaskNotRegistrable';
}

/**
 * A secret the rotation operation cannot rotate (yet, or by design: the management token, the TLS CA); the message
 * says why and what to do instead. Never retried.
 */
export class RotationNotSupportedError extends MeshError {
  override readonly name = 'RotationNotSupported';
}

// --- the task-churn path (thrown to the Lambda runtime: the async invocation is retried, then lands in the
// on-failure destination) ---------------------------------------------------------------------------------------

/** One failed operation of a `/v1/txn`, as Consul reports it (HTTP 409). */
export interface TxnOpFailure {
  OpIndex: number;
  What: string;
}

/**
 * Another writer changed the task's entries between our read and our write (a `cas` or `check-not-exists`
 * guard failed) more times than the handler re-reads. Retrying later is correct: the next attempt sees the new state.
 */
export class TxnConflictError extends MeshError {
  override readonly name = 'ConsulTxnConflict';
}

/** Consul rolled a transaction back for a reason other than a guard or the ACL: a defect in what we sent. */
export class TxnRejectedError extends MeshError {
  override readonly name = 'ConsulTxnRejected';
  constructor(readonly failures: TxnOpFailure[]) {
    super(`Consul rejected the transaction: ${failures.map((f) => `op ${f.OpIndex}: ${f.What}`).join('; ')}`);
  }
}

/** Consul answered a 4xx other than an ACL refusal: a defect in what we sent, surfaced with Consul's own words. */
export class ConsulRequestRejectedError extends MeshError {
  override readonly name = 'ConsulRequestRejected';
}

// --- the rollout state machine -----------------------------------------------------------------------------------

/** The new tasks stopped being registered and passing in Consul during the bake (or one of them stopped). */
export class RolloutUnhealthyError extends MeshError {
  override readonly name = 'RolloutUnhealthy';
}

/** Error names of the rollout's terminal Fail states (the execution's `error`). */
export const ROLLOUT_ERRORS = {
  /** The rollout failed and the service was returned to its previous revision. */
  rolledBack: 'RolledBack',
  /** The rollout failed and so did the rollback: the service needs attention. */
  rollbackFailed: 'RollbackFailed',
} as const;

// --- the HTTP API only (the error mapper reads `name`) -----------------------------------------------------------

/** No credentials reached the route (the authorizer's context is missing): 401. */
export class UnauthorizedError extends MeshError {
  override readonly name = 'Unauthorized';
}

/** The body is larger than a Step Functions execution can carry (256 KB): 413. */
export class PayloadTooLargeError extends MeshError {
  override readonly name = 'PayloadTooLarge';
}

/** The body's content type is not one the route reads: 415. */
export class UnsupportedMediaTypeError extends MeshError {
  override readonly name = 'UnsupportedMediaType';
}

/** The deployment or rollout has already ended and cannot be cancelled: 409. */
export class AlreadyEndedError extends MeshError {
  override readonly name = 'AlreadyEnded';
}

/** Every name above (tests/unit/contract/state-machines.test.ts keeps the list complete): what Step Functions and the API mapper may match. */
export const ERROR_NAMES = [
  'SpecInvalid',
  'ConfigError',
  'BuildFailed',
  'ServiceNotStable',
  'DeploymentFailed',
  'ConsulUnavailable',
  'ConsulAclDenied',
  'AclTokenMismatch',
  'NoConsulLeader',
  'ConcurrentOperation',
  'DatacenterRecovering',
  'NotFound',
  'InvalidInput',
  'ImageNotResolved',
  'InvalidEvent',
  'TaskNotRegistrable',
  'SecretsInconsistent',
  'ChangeRefused',
  'ConsulTxnConflict',
  'ConsulTxnRejected',
  'ConsulRequestRejected',
  'RolloutUnhealthy',
  'Unauthorized',
  'PayloadTooLarge',
  'UnsupportedMediaType',
  'AlreadyEnded',
  'RotationNotSupported',
  'PeeringTokenMissing',
  'PeeringNotActive',
] as const;
export type ErrorName = (typeof ERROR_NAMES)[number];
