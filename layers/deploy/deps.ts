import { createAwsClients, type AwsClientFactories, type AwsClientName, type AwsClients } from '../adapters/aws';
import { consulFromSsm } from '../adapters/consul-token';
import type { ConsulApi } from '../adapters/consul';
import { listOf, readConfig, type Config } from '../config';
import { ConfigError } from '../errors';

/**
 * The wiring of the deploy steps in one place: the validated config and the clients, built once per container.
 * Handlers call `deployDeps()` (through `lazy`) naming the clients they call, and pass what a step needs to the
 * functions of `layers/deploy`; a step that talks to Consul adds it with `withConsul`.
 */
export interface DeployDeps<K extends AwsClientName = AwsClientName> {
  config: Config;
  clients: Pick<AwsClients, K>;
}

/** @example createDeployDeps({ ecs: ecsClient, ssm: ssmClient }) */
export function createDeployDeps<K extends AwsClientName>(factories: AwsClientFactories<K>, env: NodeJS.ProcessEnv = process.env): DeployDeps<K> {
  return { config: readConfig(env), clients: createAwsClients(factories) };
}

/**
 * The deps plus a Consul client whose token is read from SSM on first use. Apart from `createDeployDeps` so that
 * a step that never talks to Consul does not bundle the token read (and the SSM client behind it).
 *
 * @example withConsul(createDeployDeps({ ecs: ecsClient, ssm: ssmClient }))
 */
export function withConsul<D extends DeployDeps<'ssm'>>(deps: D): D & { consul: () => Promise<ConsulApi> } {
  const { config, clients } = deps;
  let connect: (() => Promise<ConsulApi>) | undefined;
  // Only the steps that talk to Consul need its address; the others never ask.
  const consul = () =>
    (connect ??= consulFromSsm({
      address: config.CONSUL_HTTP_ADDR ?? missing('CONSUL_HTTP_ADDR'),
      tokenParameter: config.CONSUL_TOKEN_PARAMETER,
      ssm: clients.ssm,
    }))();
  return { ...deps, consul };
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
