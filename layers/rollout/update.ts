import type { EcsApi } from '../adapters/ecs';
import type { PreparedRollout, RegisteredRevision, RolloutCheck } from './types';

/**
 * Starts the rolling update: UpdateService with the new revision, the desired count and the spec's rollout
 * settings (minimum healthy / maximum percent, circuit breaker). ECS replaces the tasks in batches those
 * percentages allow; the wait loop that follows decides when it is done. Calling it again is harmless (ECS starts
 * no second deployment for the revision it already deploys).
 */
export async function updateService(prepared: PreparedRollout, revision: RegisteredRevision, deps: { ecs: Pick<EcsApi, 'updateService'> }): Promise<RolloutCheck> {
  await deps.ecs.updateService({
    cluster: prepared.cluster,
    service: prepared.service,
    taskDefinition: revision.taskDefinitionArn,
    desiredCount: prepared.desiredCount,
    deploymentConfiguration: prepared.deploymentConfiguration,
  });
  return initialCheck('stabilize', revision.taskDefinitionArn, prepared.desiredCount, 'ECS to start the tasks of the new revision');
}

/**
 * The rollback: UpdateService back to the revision that ran before, with its desired count, then deregisters the
 * revision this rollout registered, so the family's latest ACTIVE revision is the live one again (the next
 * deployment of the unchanged spec then finds nothing to change). Idempotent.
 */
export async function rollBack(prepared: PreparedRollout, revision: RegisteredRevision | undefined, deps: { ecs: Pick<EcsApi, 'updateService' | 'deregisterTaskDefinition'> }): Promise<RolloutCheck> {
  await deps.ecs.updateService({
    cluster: prepared.cluster,
    service: prepared.service,
    taskDefinition: prepared.previousTaskDefinitionArn,
    desiredCount: prepared.previousDesiredCount,
    deploymentConfiguration: prepared.deploymentConfiguration,
  });
  if (revision?.created && revision.taskDefinitionArn !== prepared.previousTaskDefinitionArn) {
    try {
      await deps.ecs.deregisterTaskDefinition(revision.taskDefinitionArn);
    } catch (error) {
      // Already deregistered (a retried step): ECS answers ClientException; the rollback itself has been made.
      if ((error as Error).name !== 'ClientException') throw error;
    }
  }
  return initialCheck('rollback', prepared.previousTaskDefinitionArn, prepared.previousDesiredCount, 'ECS to bring back the previous revision');
}

function initialCheck(phase: RolloutCheck['phase'], taskDefinitionArn: string, desiredCount: number, waitingFor: string): RolloutCheck {
  return { phase, taskDefinitionArn, ready: false, round: 0, waitingFor, desiredCount, runningCount: 0, pendingCount: 0, bakeRound: 0 };
}
