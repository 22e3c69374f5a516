/**
 * The local cloud the churn benchmark runs on, started in-process on free ports: the ECS simulation behind the
 * AWS-compatible endpoint (real SDK client over HTTP), the local Consul and, for the event path, EventBridge with
 * the task-state-change rule whose pattern comes from serverless/mesh-events.js (the rule deployed on AWS).
 */
import { CreateClusterCommand, CreateServiceCommand, ECSClient, RegisterTaskDefinitionCommand } from '@aws-sdk/client-ecs';
import { EventBridgeClient, PutRuleCommand, PutTargetsCommand, type EventBridgeClientConfig } from '@aws-sdk/client-eventbridge';
import { createConsulClient, type ConsulApi } from '../../layers/adapters/consul';
import { deployedSpecKey } from '../../layers/deploy/config-entries';
import { DATAPLANE_CONTAINER } from '../../layers/domain/ecs/containers';
import { ingressFamily, serviceFamily } from '../../layers/domain/naming';
import type { MeshSpec } from '../../layers/domain/spec';
import { startPartialCloud, type AwsEndpoint, type ConsulServer, type EcsDelays, type EcsSimulation, type EcsTaskStateChangeEvent, type EventsProvider } from '@consul-mesh/local-cloud';
import { LAMBDA_RETRY_DELAYS_MS } from './lambda-settings';

const meshEvents = require('../../serverless/mesh-events.js') as { taskDefinitionArnPatternsOf(mesh: string): unknown[] };

export const REGION = 'us-east-1';
const FUNCTION_ARN = 'arn:aws:lambda:us-east-1:000000000000:function:consul-mesh-local-taskStateChange';
/** The container health check every task runs, so tasks report HEALTHY and their checks turn passing. */
const HEALTH_CHECK = { command: ['CMD-SHELL', 'true'], interval: 5, timeout: 3, retries: 3 };
const NETWORK = { awsvpcConfiguration: { subnets: ['subnet-0bench0001'], securityGroups: ['sg-0bench0001'], assignPublicIp: 'DISABLED' as const } };

/** Where task events go on the event path: seen as ECS emits them, then delivered by EventBridge to the function. */
export interface TaskEventRoute {
  /** Called synchronously as ECS emits the event (the transition's own turn of the event loop). */
  emitted(event: EcsTaskStateChangeEvent): void;
  /** The function EventBridge invokes (asynchronously, with Lambda's retries); rejects when the function fails. */
  invoke(event: unknown): Promise<void>;
}

export interface ChurnCloudOptions {
  delays: EcsDelays;
  /** Where task events go once {@link ChurnCloud.emitTaskEvents} is called; without it there is no EventBridge. */
  route?: TaskEventRoute;
  /** Waits before Lambda's two async retries; default {@link LAMBDA_RETRY_DELAYS_MS}. */
  retryDelaysMs?: readonly number[];
}

export interface ChurnCloud {
  ecs: EcsSimulation;
  endpoint: AwsEndpoint;
  consul: ConsulServer;
  ecsClient: ECSClient;
  events?: EventsProvider;
  /** A Consul client over HTTP, for setting up and inspecting (not counted). */
  consulAdmin: ConsulApi;
  /** Stores the spec where the deploy puts it and creates its clusters, task definitions and services. */
  deploy(spec: MeshSpec): Promise<void>;
  /**
   * From now on ECS emits task events to the route. Until then it emits none at all (the simulation builds events
   * only for a listener), so a fleet can be started and converged by the reconcile without the event path.
   */
  emitTaskEvents(): void;
  close(): Promise<void>;
}

export async function startChurnCloud(options: ChurnCloudOptions): Promise<ChurnCloud> {
  const { route } = options;
  const cloud = await startPartialCloud({
    ecs: { delays: options.delays },
    // ECS publishes to EventBridge only once emitTaskEvents is called (taskEventsToEventBridge: false).
    ...(route ? { events: { retryDelaysMs: options.retryDelaysMs ?? LAMBDA_RETRY_DELAYS_MS, invokeLambda: (_arn: string, event: unknown) => route.invoke(event) } } : {}),
    taskEventsToEventBridge: false,
    consul: {},
  });
  const { ecs, aws: endpoint, consul, events } = cloud;
  // No SDK retries: every ECS call the endpoint counts is one the code made (nothing is throttled here).
  const clientConfig = { ...cloud.clientConfig, region: REGION, maxAttempts: 1 };
  const ecsClient = new ECSClient(clientConfig);
  const consulAdmin = createConsulClient({ address: consul.url, timeoutMs: 30_000 });

  return {
    ecs,
    endpoint,
    consul,
    ecsClient,
    events,
    consulAdmin,
    async deploy(spec) {
      await consulAdmin.kvPut(deployedSpecKey(spec), JSON.stringify(spec));
      if (events) await putTaskStateChangeRule(clientConfig, spec);
      for (const cluster of spec.clusters) {
        await ecsClient.send(new CreateClusterCommand({ clusterName: cluster.name }));
        for (const service of cluster.services) {
          const family = serviceFamily(spec, service.name);
          await createService(ecsClient, cluster.name, service.name, family, [service.name, DATAPLANE_CONTAINER], service.desiredCount);
        }
      }
      if (spec.ingress) {
        await ecsClient.send(new CreateClusterCommand({ clusterName: spec.ingress.cluster }));
        await createService(ecsClient, spec.ingress.cluster, spec.ingress.name, ingressFamily(spec), [DATAPLANE_CONTAINER], spec.ingress.desiredCount);
      }
    },
    emitTaskEvents() {
      if (!route || !events) throw new RangeError('this cloud was started without a task event route');
      ecs.subscribe((event) => {
        route.emitted(event);
        events.publish(event);
      });
    },
    async close() {
      ecsClient.destroy();
      await cloud.close();
    },
  };
}

/** The rule of serverless.yml: ECS task state changes of the mesh's clusters, to the task-state-change function. */
async function putTaskStateChangeRule(config: EventBridgeClientConfig, spec: MeshSpec): Promise<void> {
  const client = new EventBridgeClient(config);
  try {
    const pattern = {
      source: ['aws.ecs'],
      'detail-type': ['ECS Task State Change'],
      detail: { taskDefinitionArn: meshEvents.taskDefinitionArnPatternsOf(spec.name) },
    };
    await client.send(new PutRuleCommand({ Name: 'task-state-change', EventPattern: JSON.stringify(pattern) }));
    await client.send(new PutTargetsCommand({ Rule: 'task-state-change', Targets: [{ Id: 'handler', Arn: FUNCTION_ARN }] }));
  } finally {
    client.destroy();
  }
}

async function createService(client: ECSClient, cluster: string, name: string, family: string, containers: string[], desiredCount: number): Promise<void> {
  await client.send(
    new RegisterTaskDefinitionCommand({
      family,
      networkMode: 'awsvpc',
      requiresCompatibilities: ['FARGATE'],
      cpu: '256',
      memory: '512',
      containerDefinitions: containers.map((container) => ({ name: container, image: `${container}:1.0.0`, essential: true, healthCheck: HEALTH_CHECK })),
    }),
  );
  await client.send(
    new CreateServiceCommand({ cluster, serviceName: name, taskDefinition: family, desiredCount, launchType: 'FARGATE', networkConfiguration: NETWORK }),
  );
}
