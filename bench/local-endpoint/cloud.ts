/**
 * The part of the local cloud this benchmark measures, started in-process on free ports: the AWS-compatible
 * endpoint serving ECS (zero lifecycle delays) and SSM, and the Consul HTTP API, with the real SDK clients
 * pointed at them.
 */
import { ECSClient } from '@aws-sdk/client-ecs';
import { SSMClient } from '@aws-sdk/client-ssm';
import { startPartialCloud, type AwsEndpoint, type ConsulServer, type EcsDelays, type EcsSimulation, type SsmProvider } from '@consul-mesh/local-cloud';

export const REGION = 'us-east-1';

/** Every lifecycle step takes no time (it still progresses asynchronously): the simulation's own cost shows. */
export const ZERO_DELAYS: EcsDelays = {
  provisioningMs: 0,
  pendingMs: 0,
  activatingMs: 0,
  runningMs: 0,
  stoppingMs: 0,
  restartBackoffMs: 0,
  maxRestartBackoffMs: 0,
};

export interface BenchCloud {
  endpoint: AwsEndpoint;
  ecs: EcsSimulation;
  ssm: SsmProvider;
  consul: ConsulServer;
  ecsClient: ECSClient;
  ssmClient: SSMClient;
  /** Stops the servers, the simulation's timers and the clients' sockets, so the process can exit. */
  close(): Promise<void>;
}

export async function startBenchCloud(): Promise<BenchCloud> {
  const cloud = await startPartialCloud({ ecs: { delays: ZERO_DELAYS }, ssm: true, consul: {} });
  const { aws: endpoint, ecs, ssm, consul } = cloud;
  const clientConfig = {
    ...cloud.clientConfig,
    region: REGION,
    // No SDK retries: a failed call must fail the benchmark, not hide inside a slower latency figure.
    maxAttempts: 1,
  };
  const ecsClient = new ECSClient(clientConfig);
  const ssmClient = new SSMClient(clientConfig);
  return {
    endpoint,
    ecs,
    ssm,
    consul,
    ecsClient,
    ssmClient,
    async close() {
      ecsClient.destroy();
      ssmClient.destroy();
      await cloud.close();
    },
  };
}
