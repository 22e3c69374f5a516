import { lazy, parseEvent } from '../../layers/handler-kit';
import { createDeployDeps } from '../../layers/deploy/deps';
import { ExecutionStatusChangeSchema, releaseLocksOfEndedExecution } from '../../layers/deploy/release-ended';
import { executionHolders } from '../../layers/adapters/execution-status';
import { ConfigError } from '../../layers/errors';
import { createLogger } from '../../layers/logger';
import { ssmClient, sfnClient } from '../../layers/adapters/aws';

const deps = lazy(() => {
  const { clients, config } = createDeployDeps({ ssm: ssmClient, sfn: sfnClient });
  if (!config.MESH_NAME) throw new ConfigError('MESH_NAME is required');
  return { ssm: clients.ssm, holders: executionHolders(clients.sfn), meshName: config.MESH_NAME, ssmRoot: config.SSM_PREFIX };
});
const logger = lazy(() => createLogger('execution-ended'));

/**
 * EventBridge → `Step Functions Execution Status Change` (FAILED, TIMED_OUT, ABORTED) of this stack's deploy and
 * rollout state machines: releases the locks the ended execution still holds, and logs which. Asynchronous,
 * at-least-once, any order: a duplicate or late event releases nothing (see `releaseLocksOfEndedExecution`).
 * Failures are thrown, so Lambda retries the event; until then the next deployment or rollout takes over the lock
 * of an ended execution anyway.
 */
export async function handler(event: unknown) {
  const parsed = parseEvent(ExecutionStatusChangeSchema, event, 'Step Functions Execution Status Change event');
  const outcome = await releaseLocksOfEndedExecution(parsed, deps());
  const fields = { eventId: parsed.id, execution: outcome.execution, status: outcome.status };
  if (outcome.released.length > 0) logger().warn('locks of an ended execution released', { ...fields, locks: outcome.released });
  else logger().info(outcome.skipped ? 'execution runs again: its locks are kept' : 'ended execution held no lock', fields);
  return outcome;
}
