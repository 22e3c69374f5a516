import type { AwsClientFactories, AwsClientName } from '../adapters/aws';
import { createConsulAclClient, createConsulKeyringClient } from '../adapters/consul-acl';
import { consulFromSsm } from '../adapters/consul-token';
import type { ConsulApi, ConsulClientOptions } from '../adapters/consul';
import { withConsul } from '../deploy/deps';
import { createRolloutDeps, type RolloutDeps } from '../rollout/deps';
import { ConfigError } from '../errors';
import type { RotationConsul } from './secret';

/**
 * The wiring of the rotation steps: the rollout steps' (config, the AWS clients it names, with SSM, Consul with the token
 * CONSUL_TOKEN_PARAMETER names, the mesh name), plus, for the two steps that change the keyring and the tokens,
 * a client with the management token (their CONSUL_TOKEN_PARAMETER is the bootstrap token's; IAM lets only them
 * and ensureAcl read it).
 */
export function createRotationDeps<K extends AwsClientName>(
  factories: AwsClientFactories<K | 'ssm'>,
  env: NodeJS.ProcessEnv = process.env,
): RolloutDeps<K | 'ssm'> & { consul: () => Promise<ConsulApi>; management: () => Promise<RotationConsul> } {
  const deps = withConsul(createRolloutDeps(factories, env));
  const management = consulFromSsm<RotationConsul>({
    address: deps.config.CONSUL_HTTP_ADDR ?? missing('CONSUL_HTTP_ADDR'),
    tokenParameter: deps.config.CONSUL_TOKEN_PARAMETER,
    ssm: deps.clients.ssm,
    create: (options: ConsulClientOptions) => ({ ...createConsulAclClient(options), ...createConsulKeyringClient(options) }),
  });
  return { ...deps, management };
}

function missing(key: string): never {
  throw new ConfigError(`environment variable ${key} is required`);
}
