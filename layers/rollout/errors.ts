/**
 * Errors of the rollout state machine. Their `name` is what its Retry/Catch match, so each class sets it and
 * keeps its cause; the error names of its Fail states are listed here too.
 */

/** The new tasks stopped being registered and passing in Consul during the bake (or one of them stopped). */
export class RolloutUnhealthyError extends Error {
  override readonly name = 'RolloutUnhealthy';
}

/** Error names of the rollout's terminal Fail states (the execution's `error`). */
export const ROLLOUT_ERRORS = {
  /** The rollout failed and the service was returned to its previous revision. */
  rolledBack: 'RolledBack',
  /** The rollout failed and so did the rollback: the service needs attention. */
  rollbackFailed: 'RollbackFailed',
} as const;
