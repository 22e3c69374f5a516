import { createAwsClients, type AwsClients } from '../adapters/aws';
import { consulFromSsm } from '../adapters/consul-token';
import type { ConsulApi } from '../adapters/consul';
import { listOf, readConfig, type Config } from '../config';
import { ConfigError } from '../errors';

/**
 * The wiring of the deploy steps in one place: the validated config and the clients, built once per container.
 * Handlers call `deployDeps()` (through `lazy`) and pass what a step needs to the functions of `layers/deploy`.
 */
export interface DeployDeps {
  config: Config;
  clients: AwsClients;
  consul: () => Promise<ConsulApi>;
}

export function createDeployDeps(env: NodeJS.ProcessEnv = process.env): DeployDeps {
  const config = readConfig(env);
  const clients = createAwsClients();
  let connect: (() => Promise<ConsulApi>) | undefined;
  // Only the steps that talk to Consul need its address; the others never ask.
  const consul = () =>
    (connect ??= consulFromSsm({
      address: config.CONSUL_HTTP_ADDR ?? missing('CONSUL_HTTP_ADDR'),
      tokenParameter: config.CONSUL_TOKEN_PARAMETER,
      ssm: clients.ssm,
    }))();
  return { config, clients, consul };
}

/** What the task-definition and service builders need from the environment (roles, account, networking). */
export function ecsContexts(config: Config) {
  return {
    taskContext: {
      executionRoleArn: config.TASK_EXECUTION_ROLE_ARN ?? missing('TASK_EXECUTION_ROLE_ARN'),
      taskRoleArns: {
        server: config.SERVER_TASK_ROLE_ARN ?? missing('SERVER_TASK_ROLE_ARN'),
        'ingress-gateway': config.GATEWAY_TASK_ROLE_ARN ?? missing('GATEWAY_TASK_ROLE_ARN'),
        service: config.SERVICE_TASK_ROLE_ARN ?? missing('SERVICE_TASK_ROLE_ARN'),
      },
      accountId: config.AWS_ACCOUNT_ID ?? missing('AWS_ACCOUNT_ID'),
      ssmRoot: config.SSM_PREFIX,
    },
    serviceContext: {
      subnets: listOf(config.MESH_SUBNETS),
      securityGroups: listOf(config.MESH_SECURITY_GROUPS),
      serverRegistryArn: config.SERVER_REGISTRY_ARN,
    },
  };
}

/** The roles a rollout gives a service's new revision: the execution role and the mesh services' task role. */
export function serviceRevisionRoles(config: Config) {
  return {
    executionRoleArn: config.TASK_EXECUTION_ROLE_ARN ?? missing('TASK_EXECUTION_ROLE_ARN'),
    taskRoleArn: config.SERVICE_TASK_ROLE_ARN ?? missing('SERVICE_TASK_ROLE_ARN'),
  };
}

function missing(key: string): never {
  throw new ConfigError(`environment variable ${key} is required`);
}
