import { createConsulCall } from '../adapters/consul';
import { consulFromSsm } from '../adapters/consul-token';
import { ssmClientIn } from '../adapters/aws';
import { ConfigError } from '../errors';
import type { DeployDeps } from './deps';
import { createPeeringApi, type PeeringDeps } from './peering';

/**
 * The peering steps' dependencies: the peering calls of Consul with the orchestrator's token (read from SSM on first
 * use), this region's SSM, and an SSM client per other region, made once each (a dialer reads its acceptor's token
 * where the acceptor's stack runs).
 */
export function peeringDeps(deps: DeployDeps<'ssm'>): () => Promise<PeeringDeps> {
  const { config, clients } = deps;
  const regions = new Map<string, ReturnType<typeof ssmClientIn>>();
  const peering = consulFromSsm({
    address: config.CONSUL_HTTP_ADDR ?? missing('CONSUL_HTTP_ADDR'),
    tokenParameter: config.CONSUL_TOKEN_PARAMETER,
    ssm: clients.ssm,
    create: (options) => createPeeringApi(createConsulCall(options)),
  });
  return async () => ({
    peering: await peering(),
    ssm: {
      home: clients.ssm,
      inRegion: (region) => {
        if (!regions.has(region)) regions.set(region, ssmClientIn(region));
        return regions.get(region) as ReturnType<typeof ssmClientIn>;
      },
    },
    root: config.SSM_PREFIX,
  });
}

function missing(key: string): never {
  throw new ConfigError(`environment variable ${key} is required`);
}
