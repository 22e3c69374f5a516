/**
 * Starts the local AWS endpoint with the ECS simulation on a free port and a real ECSClient pointed at it.
 */
import {
  ECSClient,
  waitUntilServicesStable,
  type RegisterTaskDefinitionCommandInput,
} from '@aws-sdk/client-ecs';
import { Faults } from '../../../../local/faults/faults';
import { AwsEndpoint } from '../../../../local/aws/server';
import { EcsSimulation, type EcsSimulationOptions } from '../../../../local/aws/ecs/simulation';
import type { EcsDelays } from '../../../../local/aws/ecs/options';
import type { EcsTaskStateChangeEvent } from '../../../../local/aws/ecs/task-events';

/** Tiny but non-zero delays: every step is a separate turn of the event loop, tests stay fast. */
export const FAST_DELAYS: Partial<EcsDelays> = {
  provisioningMs: 1,
  pendingMs: 1,
  activatingMs: 1,
  runningMs: 5,
  stoppingMs: 1,
  restartBackoffMs: 5,
  maxRestartBackoffMs: 50,
};

export const NETWORK = {
  awsvpcConfiguration: { subnets: ['subnet-0aaa1111', 'subnet-0bbb2222'], securityGroups: ['sg-0ccc3333'], assignPublicIp: 'DISABLED' as const },
};

export interface EcsHarness {
  endpoint: AwsEndpoint;
  ecs: EcsSimulation;
  client: ECSClient;
  faults: Faults;
  /** Every task event, in delivery order. */
  events: EcsTaskStateChangeEvent[];
  close(): Promise<void>;
}

export async function startEcsHarness(
  options: { delays?: Partial<EcsDelays>; faults?: Faults; startProcesses?: EcsSimulationOptions['startProcesses'] } = {},
): Promise<EcsHarness> {
  const faults = options.faults ?? new Faults(7);
  const events: EcsTaskStateChangeEvent[] = [];
  const ecs = new EcsSimulation({
    faults,
    delays: options.delays ?? FAST_DELAYS,
    onTaskEvent: (event) => void events.push(event),
    ...(options.startProcesses ? { startProcesses: options.startProcesses } : {}),
  });
  const endpoint = new AwsEndpoint({ port: 0, faults, providers: [ecs.provider] });
  await endpoint.start();
  const client = new ECSClient({
    endpoint: endpoint.url,
    region: 'us-east-1',
    credentials: { accessKeyId: 'test', secretAccessKey: 'test' },
  });
  return {
    endpoint,
    ecs,
    client,
    faults,
    events,
    async close() {
      client.destroy();
      ecs.close();
      await endpoint.stop();
    },
  };
}

/** A Fargate task definition with one essential container (and a health check unless told otherwise). */
export function fargateTaskDefinition(
  family: string,
  image: string,
  options: { healthCheck?: boolean } = {},
): RegisterTaskDefinitionCommandInput {
  return {
    family,
    networkMode: 'awsvpc',
    requiresCompatibilities: ['FARGATE'],
    cpu: '256',
    memory: '512',
    containerDefinitions: [
      {
        name: family,
        image,
        essential: true,
        portMappings: [{ containerPort: 8080, protocol: 'tcp' }],
        ...(options.healthCheck === false
          ? {}
          : { healthCheck: { command: ['CMD-SHELL', 'curl -f http://localhost:8080/health || exit 1'], interval: 5, timeout: 3, retries: 3 } }),
      },
    ],
  };
}

/** The real SDK waiter, polling every 50–200 ms instead of ECS's default 15 s. */
export function waitStable(client: ECSClient, cluster: string, services: string[], maxWaitTime = 10) {
  return waitUntilServicesStable({ client, maxWaitTime, minDelay: 0.05, maxDelay: 0.2 }, { cluster, services });
}

/** Polls `probe` until it returns a value other than undefined/false. */
export async function eventually<T>(probe: () => Promise<T | undefined | false> | T | undefined | false, timeoutMs = 5000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe();
    if (value !== undefined && value !== false) return value;
    if (Date.now() > deadline) throw new Error(`condition not met within ${timeoutMs} ms`);
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}
