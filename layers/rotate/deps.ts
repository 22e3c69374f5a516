import { createConsulAclClient, createConsulKeyringClient } from '../adapters/consul-acl';
import { consulFromSsm } from '../adapters/consul-token';
import type { ConsulClientOptions } from '../adapters/consul';
import { createRolloutDeps, type RolloutDeps } from '../rollout/deps';
import { ConfigError } from '../errors';
import type { RotationConsul } from './secret';

/**
 * The wiring of the rotation steps: the rollout steps' (config, AWS clients, Consul with the token
 * CONSUL_TOKEN_PARAMETER names, the mesh name), plus, for the two steps that change the keyring and the tokens,
 * a client with the management token (their CONSUL_TOKEN_PARAMETER is the bootstrap token's; IAM lets only them
 * and ensureAcl read it).
 */
export function createRotationDeps(env: NodeJS.ProcessEnv = process.env): RolloutDeps & { management: () => Promise<RotationConsul> } {
  const deps = createRolloutDeps(env);
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
