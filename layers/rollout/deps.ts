import { createDeployDeps, type DeployDeps } from '../deploy/deps';
import { ConfigError } from '../errors';

/**
 * The wiring of the rollout steps: the deploy steps' (config, AWS clients, Consul with its token from SSM) plus
 * the mesh this orchestrator manages, which names the deployed spec in Consul KV and the locks in SSM.
 */
export interface RolloutDeps extends DeployDeps {
  meshName: string;
}

export function createRolloutDeps(env: NodeJS.ProcessEnv = process.env): RolloutDeps {
  const deps = createDeployDeps(env);
  const meshName = deps.config.MESH_NAME;
  if (!meshName) throw new ConfigError('environment variable MESH_NAME is required');
  return { ...deps, meshName };
}
