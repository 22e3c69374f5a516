import type { StackLimits } from '../deploy/stack-fit';
import type { SfnApi } from '../adapters/sfn';
import type { SsmApi } from '../adapters/ssm';
import { createAwsClients, ecrClient, ecsClient, logsClient, s3Client, sfnClient, ssmClient } from '../adapters/aws';
import type { EcsApi } from '../adapters/ecs';
import type { ConsulApi } from '../adapters/consul';
import { consulFromSsm } from '../adapters/consul-token';
import { listOf, readConfig } from '../config';
import type { ActivityDeps } from './activity';
import type { BuildSourceDeps } from '../deploy/build-source';
import { StepFunctionsBackend } from '../executions/sfn-backend';
import { ecsContexts } from '../deploy/deps';
import type { PlanDeps } from './plans';

/** The deploy state machine's executions, as the deployment routes use them. */
export type DeploymentStore = Pick<StepFunctionsBackend, 'start' | 'list' | 'listPage' | 'describe' | 'history' | 'resolveId'>;

/**
 * Everything the API's routes use, built once per container: the mesh it manages, the two state machines (their
 * executions are the only store of deployments and rollouts), the SDK clients and Consul. Routes receive this;
 * tests give their own.
 */
export interface ApiDeps {
  meshName: string;
  deployStateMachineArn: string;
  rolloutStateMachineArn: string;
  /** The rotation state machine (`POST /rotations`); absent in a stack packaged before it existed. */
  rotateStateMachineArn?: string;
  /** The destroy state machine (`DELETE /mesh`); without it the teardown routes answer a logged 500. */
  destroyStateMachineArn?: string;
  deployments: DeploymentStore;
  sfn: Pick<SfnApi, 'startExecution' | 'describeExecution' | 'stopExecution' | 'executionPages' | 'historyPages'>;
  ssm: Pick<SsmApi, 'getParameter' | 'getParametersByPath' | 'putParameter' | 'deleteParameter'>;
  /** GET /mesh's reads and a rollout's checks of the service (DescribeServices, ListTasks, DescribeTasks). */
  ecs: Pick<EcsApi, 'describeServices' | 'serviceTasks'>;
  consul: () => Promise<ConsulApi>;
  /** Where build contexts are (HeadObject only): a request naming one that is not there is refused. */
  buildSources: BuildSourceDeps;
  /** Poll interval and rounds of the state machines' wait loops when a request names none. */
  defaults: { pollSeconds: number; maxRounds: number };
  /** POST /plans: the state reader's clients and the change set's context, built on first use. */
  planner: PlanDeps['planner'];
  /** GET /activity: CloudWatch Logs (FilterLogEvents only) and the task-event and reconcile functions' log groups. */
  activity?: Omit<ActivityDeps, 'now'>;
  /** The stack's region and secrets path a spec must fit (stack-fit.ts); refused with 400 before a deployment starts. */
  stackLimits?: StackLimits;
  now: () => Date;
  /** The 6 base36 characters ending a new id (random unless a test fixes them). */
  randomSuffix?: () => string;
}

export function createApiDeps(env: NodeJS.ProcessEnv = process.env): ApiDeps {
  const config = readConfig(env, ['MESH_NAME', 'DEPLOY_STATE_MACHINE_ARN', 'ROLLOUT_STATE_MACHINE_ARN', 'CONSUL_HTTP_ADDR', 'BUILD_SOURCE_BUCKET']);
  const clients = createAwsClients({ ecs: ecsClient, ssm: ssmClient, ecr: ecrClient, sfn: sfnClient, s3: s3Client, logs: logsClient });
  return {
    meshName: config.MESH_NAME,
    deployStateMachineArn: config.DEPLOY_STATE_MACHINE_ARN,
    rolloutStateMachineArn: config.ROLLOUT_STATE_MACHINE_ARN,
    rotateStateMachineArn: config.ROTATE_STATE_MACHINE_ARN,
    destroyStateMachineArn: config.DESTROY_STATE_MACHINE_ARN,
    deployments: new StepFunctionsBackend({ sfn: clients.sfn, stateMachineArn: config.DEPLOY_STATE_MACHINE_ARN, historyPageSize: 1000 }),
    sfn: clients.sfn,
    ssm: clients.ssm,
    ecs: clients.ecs,
    consul: consulFromSsm({ address: config.CONSUL_HTTP_ADDR, tokenParameter: config.CONSUL_TOKEN_PARAMETER, ssm: clients.ssm }),
    buildSources: { s3: clients.s3, bucket: config.BUILD_SOURCE_BUCKET },
    defaults: { pollSeconds: config.POLL_SECONDS, maxRounds: config.MAX_ROUNDS },
    planner: () => {
      const contexts = ecsContexts(config);
      const consul = consulFromSsm({ address: config.CONSUL_HTTP_ADDR, tokenParameter: config.CONSUL_TOKEN_PARAMETER, ssm: clients.ssm });
      return {
        reader: { ecs: clients.ecs, ssm: clients.ssm, ecr: clients.ecr, consul },
        context: { ...contexts, registry: `${contexts.taskContext.accountId}.dkr.ecr.${env.AWS_REGION ?? 'us-east-1'}.amazonaws.com` },
      };
    },
    stackLimits: { region: config.AWS_REGION, appSecretsPath: config.APP_SECRETS_PATH },
    activity: {
      logs: clients.logs,
      logGroups: listOf(config.ACTIVITY_LOG_GROUPS),
    },
    now: () => new Date(),
  };
}
