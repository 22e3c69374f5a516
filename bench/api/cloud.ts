/**
 * The local cloud a worker measures, and what the benchmark reads from it directly (the Consul bootstrap token).
 */
import { SFNClient } from '@aws-sdk/client-sfn';
import { performance } from 'node:perf_hooks';
import { LocalCloud, LOCAL_ACCOUNT_ID } from '@consul-mesh/local-cloud';
import { isRecord } from './http';
import { PROJECT_ROOT, uploadReferenceContexts } from '../deploy/spec';
import { startLocalCloud } from '../../cli/local-cloud';

/** The mesh of serverless.yml's `meshName` (the only one the API deploys) and of examples/mesh.yaml. */
export const MESH = 'reference-mesh';

/**
 * Zero ECS delays, as the deploy integration tests use. `stepFunctionsTimeScale` 0 also skips the wait loops'
 * `SecondsPath` waits; 1 keeps them, so a deployment can be held idle in one (see `PARKED_POLL_SECONDS`).
 */
export async function startBenchCloud(stepFunctionsTimeScale: 0 | 1): Promise<{ cloud: LocalCloud; startMs: number }> {
  const begin = performance.now();
  const cloud = await startLocalCloud({
    rootDir: PROJECT_ROOT,
    ports: { aws: 0, consul: 0, httpApi: 0 },
    ecsDelays: { provisioningMs: 0, pendingMs: 0, activatingMs: 0, runningMs: 0, stoppingMs: 0, restartBackoffMs: 5, maxRestartBackoffMs: 20 },
    stepFunctionsTimeScale,
    eventRetryDelaysMs: [20, 40],
    // Quiet functions: log lines and metrics output would be measured along with the requests.
    functionEnvironment: { LOG_LEVEL: 'ERROR', POWERTOOLS_METRICS_DISABLED: 'true' },
    logger: () => undefined,
  });
  const startMs = performance.now() - begin;
  // As meshctl deploy does before POST /deployments: the API refuses a spec whose contexts are not uploaded.
  await uploadReferenceContexts(cloud);
  return { cloud, startMs };
}

export function benchSfnClient(cloud: LocalCloud): SFNClient {
  return new SFNClient({ endpoint: cloud.endpoints.aws, region: cloud.config.region, credentials: { accessKeyId: 'test', secretAccessKey: 'test' } });
}

/** The mesh's Consul ACL bootstrap token, a SecureString the first deployment created (read decrypted). */
export async function bootstrapToken(cloud: LocalCloud, mesh: string = MESH): Promise<string> {
  const name = `/consul-mesh/${mesh}/secrets/acl/bootstrap-token`;
  const answer: unknown = await cloud.ssm.operations.GetParameter(
    { Name: name, WithDecryption: true },
    { region: cloud.config.region, accountId: LOCAL_ACCOUNT_ID, requestId: 'api-bench' },
  );
  const value = isRecord(answer) && isRecord(answer.Parameter) ? answer.Parameter.Value : undefined;
  if (typeof value !== 'string' || value.length === 0) throw new RangeError(`SSM parameter ${name} has no value`);
  return value;
}
