/**
 * Creates the state machines of `serverless.yml` in the local Step Functions, as `serverless deploy` does on
 * AWS: same names, the same ASL files (function references resolved to the local functions' ARNs).
 */
import { randomUUID } from 'node:crypto';
import type { ServerlessConfig, StateMachineConfig } from '../../serverless/model';
import { AwsServiceError, LOCAL_ACCOUNT_ID, type RequestContext } from '../protocol';
import type { StepFunctionsProvider } from './provider';

/** A role name for a state machine when no packaged template says which role it has. */
export function localRoleArn(machine: Pick<StateMachineConfig, 'name'>): string {
  return `arn:aws:iam::${LOCAL_ACCOUNT_ID}:role/${machine.name}-role`;
}

/**
 * Creates each state machine, or updates it when one with that name exists with another definition (idempotent:
 * running it twice changes nothing). Returns the ARNs by key in `stepFunctions.stateMachines`.
 * An invalid definition fails with `InvalidDefinition` naming the problem.
 */
export async function deployStateMachines(
  config: Pick<ServerlessConfig, 'region' | 'stepFunctions'>,
  service: StepFunctionsProvider,
  /** The machine's role in the packaged template (serverless-step-functions creates one per machine). */
  roleArnOf: (machine: StateMachineConfig) => string = localRoleArn,
): Promise<Record<string, string>> {
  const { operations } = service;
  const ctx = (): RequestContext => ({ region: config.region, accountId: LOCAL_ACCOUNT_ID, requestId: randomUUID() });
  const arns: Record<string, string> = {};
  for (const machine of config.stepFunctions.stateMachines) {
    const request = { name: machine.name, definition: JSON.stringify(machine.definition), roleArn: roleArnOf(machine), type: machine.type };
    try {
      const created = (await operations.CreateStateMachine(request, ctx())) as { stateMachineArn: string };
      arns[machine.key] = created.stateMachineArn;
    } catch (error) {
      if (!(error instanceof AwsServiceError) || error.code !== 'StateMachineAlreadyExists') {
        if (error instanceof Error) error.message = `state machine "${machine.key}": ${error.message}`;
        throw error;
      }
      await operations.UpdateStateMachine({ stateMachineArn: machine.arn, definition: request.definition, roleArn: request.roleArn }, ctx());
      arns[machine.key] = machine.arn;
    }
  }
  return arns;
}
