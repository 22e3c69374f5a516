import type { ConsulServerOptions } from './consul';
import { ConsulServer, startConsulServer } from './consul';
import type { Faults } from './faults/faults';
import { EcsSimulation, type EcsSimulationOptions } from './aws/ecs/simulation';
import { EcrProvider } from './aws/ecr/provider';
import { EventsProvider, type EventsProviderOptions } from './aws/events/provider';
import type { ServiceProvider } from './aws/protocol';
import { S3Provider } from './aws/s3/provider';
import { startAwsEndpoint, type AwsEndpoint, type EndpointLogger } from './aws/server';
import { DEFAULT_LOCAL_CREDENTIALS } from './aws/sigv4';
import { SsmProvider } from './aws/ssm/provider';

/**
 * Which services a partial cloud runs. A service runs when its key is given (`ssm: true`, `ecs: { delays }`); the
 * AWS ones share one endpoint, as they share `AWS_ENDPOINT_URL` on the whole local cloud.
 */
export interface PartialCloudOptions {
  /**
   * Fault injection shared by ECS (task starts, task events), the AWS endpoint (throttling, latency) and Consul
   * (an unreachable agent), as on the whole local cloud. Without it nothing is injected.
   */
  faults?: Faults;
  /** The ECS simulation, with these options (its lifecycle delays above all). */
  ecs?: Omit<EcsSimulationOptions, 'faults'>;
  ssm?: boolean;
  ecr?: boolean;
  /** S3, the endpoint's REST-protocol service. */
  s3?: boolean;
  /** EventBridge, invoking `invokeLambda` for the targets of its rules. */
  events?: Omit<EventsProviderOptions, 'faults'>;
  /**
   * With both ECS and EventBridge: ECS's task state changes go to EventBridge's default bus from the start, as on
   * AWS (default). `false` leaves that to the caller (`ecs.subscribe`), e.g. to start a fleet without events.
   */
  taskEventsToEventBridge?: boolean;
  /** A Consul server (on a free port), with these options (ACLs, datacenter). */
  consul?: Omit<ConsulServerOptions, 'port' | 'faults'>;
  /** Region of the SDK client configuration; default us-east-1. */
  region?: string;
  /** Where the AWS endpoint reports unexpected failures; default stderr. */
  logger?: EndpointLogger;
}

/** A started partial cloud; a service is present when its option was given (see {@link startPartialCloud}). */
export interface PartialCloud {
  /** The AWS-compatible endpoint (on a free port) serving the chosen AWS services. */
  aws: AwsEndpoint;
  /** What an SDK client needs to call it: `new ECSClient(cloud.clientConfig)`. */
  clientConfig: { endpoint: string; region: string; credentials: { accessKeyId: string; secretAccessKey: string } };
  faults?: Faults;
  ecs?: EcsSimulation;
  ssm?: SsmProvider;
  ecr?: EcrProvider;
  s3?: S3Provider;
  events?: EventsProvider;
  consul?: ConsulServer;
  /** Stops the services' timers and servers (not the caller's SDK clients). */
  close(): Promise<void>;
}

/** The services of `O`, typed as present. */
type Has<O, K extends keyof PartialCloudOptions, T> = O extends { [P in K]: infer V } ? ([V] extends [false | undefined] ? unknown : T) : unknown;
export type PartialCloudOf<O extends PartialCloudOptions> = PartialCloud &
  Has<O, 'faults', { faults: Faults }> &
  Has<O, 'ecs', { ecs: EcsSimulation }> &
  Has<O, 'ssm', { ssm: SsmProvider }> &
  Has<O, 'ecr', { ecr: EcrProvider }> &
  Has<O, 's3', { s3: S3Provider }> &
  Has<O, 'events', { events: EventsProvider }> &
  Has<O, 'consul', { consul: ConsulServer }>;

/**
 * Starts part of the local cloud in-process, on free ports: the one way tests and benchmarks assemble the services
 * they need without the whole {@link LocalCloud} (no serverless.yml, no Lambda runtime, no IAM). The services are
 * wired as on the whole cloud: one AWS endpoint for all, ECS task events to EventBridge, shared faults.
 *
 * @example
 * const cloud = await startPartialCloud({ ecs: { delays: { provisioningMs: 0 } }, ssm: true, consul: {} });
 * const ecs = new ECSClient(cloud.clientConfig);
 * // ... cloud.ecs.runningTasks('cluster-1'), cloud.consul.catalog()
 * await cloud.close();
 */
export async function startPartialCloud<const O extends PartialCloudOptions>(options: O): Promise<PartialCloudOf<O>> {
  const { faults } = options;
  const events = options.events ? new EventsProvider(options.events) : undefined;
  const ecs = options.ecs ? new EcsSimulation({ ...options.ecs, ...(faults ? { faults } : {}) }) : undefined;
  // Subscribed before anything runs: the same order as the whole cloud's `onTaskEvent`.
  if (ecs && events && options.taskEventsToEventBridge !== false) ecs.subscribe((event) => void events.publish(event));
  const ssm = options.ssm ? new SsmProvider() : undefined;
  const ecr = options.ecr ? new EcrProvider() : undefined;
  const s3 = options.s3 ? new S3Provider() : undefined;
  const providers: ServiceProvider[] = [ecs?.provider, ssm, ecr, events].filter((p): p is ServiceProvider => p !== undefined);
  const aws = await startAwsEndpoint({ port: 0, providers, ...(s3 ? { restProvider: s3 } : {}), ...(faults ? { faults } : {}), ...(options.logger ? { logger: options.logger } : {}) });
  let consul: ConsulServer | undefined;
  try {
    consul = options.consul ? await startConsulServer({ ...options.consul, port: 0, ...(faults ? { faults } : {}) }) : undefined;
  } catch (error) {
    ecs?.close();
    await Promise.allSettled([events?.close(), aws.stop()]);
    throw error;
  }
  const cloud: PartialCloud = {
    aws,
    clientConfig: { endpoint: aws.url, region: options.region ?? 'us-east-1', credentials: { ...DEFAULT_LOCAL_CREDENTIALS } },
    ...(faults ? { faults } : {}),
    ...(ecs ? { ecs } : {}),
    ...(ssm ? { ssm } : {}),
    ...(ecr ? { ecr } : {}),
    ...(s3 ? { s3 } : {}),
    ...(events ? { events } : {}),
    ...(consul ? { consul } : {}),
    async close() {
      ecs?.close();
      await events?.close();
      await aws.stop();
      await consul?.close();
    },
  };
  return cloud as PartialCloudOf<O>;
}
