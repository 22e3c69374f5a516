import type { AwsClientFactories, AwsClientName } from '../adapters/aws';
import { createDeployDeps, type DeployDeps } from '../deploy/deps';
import { ConfigError } from '../errors';

/**
 * The wiring of the rollout steps: the deploy steps' (config, the AWS clients the handler names; Consul with its
 * token from SSM through `withConsul`) plus the mesh this orchestrator manages, which names the deployed spec in
 * Consul KV and the locks in SSM.
 */
export interface RolloutDeps<K extends AwsClientName = AwsClientName> extends DeployDeps<K> {
  meshName: string;
}

export function createRolloutDeps<K extends AwsClientName>(factories: AwsClientFactories<K>, env: NodeJS.ProcessEnv = process.env): RolloutDeps<K> {
  const deps = createDeployDeps(factories, env);
  const meshName = deps.config.MESH_NAME;
  if (!meshName) throw new ConfigError('environment variable MESH_NAME is required');
  return { ...deps, meshName };
}
