import type { HolderStatus } from '../deploy/lock';
import type { SfnApi } from './sfn';

/**
 * Lock holders are Step Functions executions (`$$.Execution.Id`, the execution ARN): one is running while
 * DescribeExecution says RUNNING. An execution that no longer exists (expired history: Standard executions are kept
 * 90 days) has ended too. A holder that is not an execution ARN (a lock written by hand) cannot be checked: it stays
 * live until it expires.
 */
export function executionHolders(sfn: Pick<SfnApi, 'describeExecution'>): HolderStatus {
  return {
    async isRunning(holder: string): Promise<boolean> {
      if (!/^arn:aws[a-z-]*:states:[^:]+:\d{12}:execution:/.test(holder)) return true;
      try {
        const { status } = await sfn.describeExecution(holder);
        // PENDING_REDRIVE: a redrive is about to run it again; treat it as running.
        return status === 'RUNNING' || status === 'PENDING_REDRIVE';
      } catch (error) {
        if ((error as Error).name === 'ExecutionDoesNotExist') return false;
        throw error;
      }
    },
  };
}
