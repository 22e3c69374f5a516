/**
 * The part of the local cloud this benchmark measures, started in-process on free ports: the AWS-compatible
 * endpoint serving ECS (zero lifecycle delays) and SSM, and the Consul HTTP API, with the real SDK clients
 * pointed at them.
 */
import { ECSClient } from '@aws-sdk/client-ecs';
import { SSMClient } from '@aws-sdk/client-ssm';
import { type EcsDelays, EcsSimulation, startAwsEndpoint, type AwsEndpoint, SsmProvider, startConsulServer, type ConsulServer } from '@consul-mesh/local-cloud';

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
  const ecs = new EcsSimulation({ delays: ZERO_DELAYS });
  const ssm = new SsmProvider();
  const endpoint = await startAwsEndpoint({ port: 0, providers: [ecs.provider, ssm] });
  const consul = await startConsulServer({ port: 0 });
  const clientConfig = {
    endpoint: endpoint.url,
    region: REGION,
    // The local endpoint's documented credentials (LocalStack's convention).
    credentials: { accessKeyId: 'test', secretAccessKey: 'test' },
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
      ecs.close();
      await endpoint.stop();
      await consul.close();
    },
  };
}
