/**
 * The part of the local cloud the task-churn code runs against: the ECS simulation and EventBridge behind the
 * local AWS endpoint (real SDK clients over HTTP), the local Consul, and the task-state-change handler wired as
 * the target of a rule whose pattern comes from serverless/mesh-events.js — the path events take on AWS.
 */
import { CreateClusterCommand, CreateServiceCommand, ECSClient, RegisterTaskDefinitionCommand } from '@aws-sdk/client-ecs';
import { EventBridgeClient, PutRuleCommand, PutTargetsCommand } from '@aws-sdk/client-eventbridge';
import { createConsulClient, type ConsulApi } from '../../../layers/adapters/consul';
import { createEcsApi } from '../../../layers/adapters/ecs';
import { reconcileMesh, type ReconcileDeps, type ReconcileSummary } from '../../../layers/churn/reconcile';
import { handleTaskEvent } from '../../../layers/churn/task-event';
import { deployedSpecKey } from '../../../layers/deploy/config-entries';
import { aclPolicyName, buildAclPlan } from '../../../layers/domain/consul/acl-policies';
import { DATAPLANE_CONTAINER } from '../../../layers/domain/ecs/containers';
import { ingressFamily, serviceFamily } from '../../../layers/domain/naming';
import type { MeshSpec } from '../../../layers/domain/spec';
import { startPartialCloud, Faults, type AwsEndpoint, type ConsulServer, type EcsSimulation, type EcsTaskSnapshot, type EcsTaskStateChangeEvent, type EventsProvider } from '@consul-mesh/local-cloud';
import { RecordingLogger, RecordingMetrics } from '../../unit/churn/recording';

const meshEvents = require('../../../serverless/mesh-events.js') as { taskDefinitionArnPatternsOf(mesh: string): unknown[] };

const MANAGEMENT_TOKEN = 'churn-test-management-token';
const FUNCTION_ARN = 'arn:aws:lambda:us-east-1:000000000000:function:consul-mesh-local-taskStateChange';
/** Tiny but non-zero delays: every lifecycle step is its own turn of the event loop. */
const FAST = { provisioningMs: 1, pendingMs: 1, activatingMs: 1, runningMs: 5, stoppingMs: 1, restartBackoffMs: 5, maxRestartBackoffMs: 50 };
const HEALTH_CHECK = { command: ['CMD-SHELL', 'true'], interval: 5, timeout: 3, retries: 3 };

export interface MeshCloud {
  spec: MeshSpec;
  faults: Faults;
  ecs: EcsSimulation;
  endpoint: AwsEndpoint;
  ecsClient: ECSClient;
  consul: ConsulServer;
  /** The reconcile's Consul client (another "container" than the event handler's). */
  consulClient: ConsulApi;
  events: EventsProvider;
  /** Every task event ECS emitted, delivered or not. */
  emitted: EcsTaskStateChangeEvent[];
  /** The cluster ARN of every event the rule delivered to the handler. */
  delivered: string[];
  /** Creates a cluster (if needed) and a Fargate service there, outside what the spec describes. */
  addService(cluster: string, name: string, desiredCount: number): Promise<void>;
  logger: RecordingLogger;
  metrics: RecordingMetrics;
  /** Waits until each service runs `counts[service]` healthy tasks (none starting or stopping) and every event was handled. */
  settle(counts: Record<string, number>): Promise<void>;
  reconcile(overrides?: Partial<ReconcileDeps>): Promise<ReconcileSummary>;
  /** The instances (not proxies) registered for a service, by task ARN → address. */
  registered(service: string): Map<string, string>;
  running(service: string): EcsTaskSnapshot[];
  close(): Promise<void>;
}

/** Starts everything, deploys `spec` into ECS (one ECS service per mesh service, the gateway) and into Consul KV. */
export async function startMeshCloud(spec: MeshSpec): Promise<MeshCloud> {
  const emitted: EcsTaskStateChangeEvent[] = [];
  const delivered: string[] = [];
  const logger = new RecordingLogger();
  const metrics = new RecordingMetrics();
  const handler: { consul?: ConsulApi } = {};
  const cloud = await startPartialCloud({
    faults: new Faults(11),
    // ECS applies the event faults (drop...) as events leave it; EventBridge then delivers what it got.
    ecs: { delays: FAST },
    events: {
      // Lambda's async retries, in milliseconds instead of minutes.
      retryDelaysMs: [5, 10],
      invokeLambda: async (_arn, event) => {
        delivered.push(String((event as { detail?: { clusterArn?: string } }).detail?.clusterArn));
        await handleTaskEvent(event, { consul: handler.consul!, meshName: spec.name, logger, specMaxAgeMs: 0 });
      },
    },
    // ACLs on (default deny), and the handlers use the orchestrator's least-privilege token, as deployed.
    consul: { acl: { enabled: true, managementToken: MANAGEMENT_TOKEN } },
  });
  const { faults, ecs, events, consul, aws: endpoint, clientConfig: config } = cloud;
  ecs.subscribe((event) => void emitted.push(event));
  const token = await createOrchestratorToken(consul.url, spec);
  handler.consul = createConsulClient({ address: consul.url, timeoutMs: 2000, token });
  const consulClient = createConsulClient({ address: consul.url, timeoutMs: 2000, token });
  const ecsClient = new ECSClient(config);
  const eventsClient = new EventBridgeClient(config);

  await consulClient.kvPut(deployedSpecKey(spec), JSON.stringify(spec));
  const pattern = {
    source: ['aws.ecs'],
    'detail-type': ['ECS Task State Change'],
    detail: { taskDefinitionArn: meshEvents.taskDefinitionArnPatternsOf(spec.name) },
  };
  await eventsClient.send(new PutRuleCommand({ Name: 'task-state-change', EventPattern: JSON.stringify(pattern) }));
  await eventsClient.send(new PutTargetsCommand({ Rule: 'task-state-change', Targets: [{ Id: 'handler', Arn: FUNCTION_ARN }] }));
  eventsClient.destroy();

  for (const cluster of spec.clusters) {
    await ecsClient.send(new CreateClusterCommand({ clusterName: cluster.name }));
    for (const service of cluster.services) {
      await createService(ecsClient, cluster.name, service.name, serviceFamily(spec, service.name), [service.name, DATAPLANE_CONTAINER], service.desiredCount);
    }
  }
  if (spec.ingress) {
    await ecsClient.send(new CreateClusterCommand({ clusterName: spec.ingress.cluster }));
    await createService(ecsClient, spec.ingress.cluster, spec.ingress.name, ingressFamily(spec), [DATAPLANE_CONTAINER], spec.ingress.desiredCount);
  }

  const clusterOf = (service: string) =>
    spec.clusters.find((c) => c.services.some((s) => s.name === service))?.name ?? (service === spec.ingress?.name ? spec.ingress.cluster : undefined);
  const running = (service: string) => ecs.runningTasks(clusterOf(service) ?? '').filter((t) => t.serviceName === service);

  return {
    spec,
    faults,
    ecs,
    endpoint,
    ecsClient,
    consul,
    consulClient,
    events,
    emitted,
    delivered,
    async addService(cluster, name, desiredCount) {
      await ecsClient.send(new CreateClusterCommand({ clusterName: cluster }));
      await createService(ecsClient, cluster, name, name, [name], desiredCount);
    },
    logger,
    metrics,
    running,
    async settle(counts) {
      await eventually(() =>
        Object.entries(counts).every(([service, count]) => {
          const cluster = clusterOf(service) ?? '';
          const live = ecs.liveTasks(cluster).filter((t) => t.serviceName === service);
          return live.length === count && live.every((t) => t.lastStatus === 'RUNNING' && t.desiredStatus === 'RUNNING' && t.healthStatus === 'HEALTHY');
        }),
      );
      await events.drain();
    },
    reconcile: (overrides = {}) => reconcileMesh({ consul: consulClient, ecs: createEcsApi(ecsClient), meshName: spec.name, logger, metrics, specMaxAgeMs: 0, ...overrides }),
    registered(service) {
      return new Map(
        consul
          .catalog()
          .services.filter((s) => s.Service === service && s.Kind !== 'connect-proxy')
          .map((s) => [s.Meta?.['task-arn'] ?? '', s.Address]),
      );
    },
    async close() {
      ecsClient.destroy();
      await cloud.close();
    },
  };
}

/** The orchestrator's policy and token, created with the management token as the deployment's ACL step does. */
async function createOrchestratorToken(address: string, spec: MeshSpec): Promise<string> {
  const headers = { 'X-Consul-Token': MANAGEMENT_TOKEN };
  const policy = buildAclPlan(spec).policies.find((p) => p.Name === aclPolicyName(spec, 'orchestrator'))!;
  await fetch(`${address}/v1/acl/policy`, { method: 'PUT', headers, body: JSON.stringify(policy) });
  const res = await fetch(`${address}/v1/acl/token`, { method: 'PUT', headers, body: JSON.stringify({ Policies: [{ Name: policy.Name }] }) });
  return ((await res.json()) as { SecretID: string }).SecretID;
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
    new CreateServiceCommand({
      cluster,
      serviceName: name,
      taskDefinition: family,
      desiredCount,
      launchType: 'FARGATE',
      networkConfiguration: { awsvpcConfiguration: { subnets: ['subnet-0aaa1111'], securityGroups: ['sg-0ccc3333'], assignPublicIp: 'DISABLED' } },
    }),
  );
}

/** Polls until `probe` holds (every 5 ms, at most `timeoutMs`). */
export async function eventually(probe: () => boolean, timeoutMs = 8000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!probe()) {
    if (Date.now() > deadline) throw new Error(`condition not met within ${timeoutMs} ms`);
    await new Promise((resolve) => setTimeout(resolve, 5));
  }
}
