import type { ApiStatus } from './contract';

/**
 * Step Functions' execution statuses folded into the API's (DESIGN.md section 4): a redrive in waiting is still
 * running; a timeout is a failure; a rollout whose rollback completed (error `RolledBack`) is ROLLED_BACK.
 */
export function apiStatus(executionStatus: string | undefined, error?: string): ApiStatus {
  switch (executionStatus) {
    case 'SUCCEEDED':
      return 'SUCCEEDED';
    case 'ABORTED':
      return 'ABORTED';
    case 'FAILED':
    case 'TIMED_OUT':
      return error === 'RolledBack' ? 'ROLLED_BACK' : 'FAILED';
    default:
      return 'RUNNING';
  }
}
