import type { CliDeps } from './cli-deps';
import type { DeploymentBackend } from './deployment-backend';
import { LOCAL_DEPLOY_STATE_MACHINE_ARN, StepFunctionsBackend } from './sfn-backend';

export interface BackendOptions {
  stateMachineArn?: string;
}

/**
 * The backend the commands talk to. Step Functions for now: the state machine ARN comes from
 * `--state-machine-arn`, else `DEPLOY_STATE_MACHINE_ARN`, else the local cloud's deploy state machine.
 * (The HTTP API backend, `--api-url` / `MESH_API_URL`, plugs in here.)
 */
export function createBackend(options: BackendOptions, deps: Pick<CliDeps, 'env' | 'clients'>): DeploymentBackend {
  const stateMachineArn = options.stateMachineArn ?? deps.env.DEPLOY_STATE_MACHINE_ARN ?? LOCAL_DEPLOY_STATE_MACHINE_ARN;
  return new StepFunctionsBackend({ sfn: deps.clients().sfn, stateMachineArn });
}
