import { Metrics } from '@aws-lambda-powertools/metrics';
import type { Logger } from '@aws-lambda-powertools/logger';
import { createAwsClients, type AwsClientFactories, type AwsClientName, type AwsClients } from '../adapters/aws';
import type { ConsulApi } from '../adapters/consul';
import { consulFromSsm } from '../adapters/consul-token';
import { readConfig, type Config } from '../config';
import { createLogger } from '../logger';
import type { ReconcileDeps } from './reconcile';
import type { TaskEventDeps } from './task-event';

/** The metric namespace of the orchestrator (EMF on stdout; CloudWatch extracts the metrics from the log). */
export const METRIC_NAMESPACE = 'consul-mesh';

/**
 * The wiring of the task-churn functions in one place, built once per container (through `lazy`): the validated
 * config, the AWS clients the handler names (SSM always: the Consul token), the Consul client, the logger and the
 * metrics. The functions of layers/churn receive what they need from here and build nothing themselves.
 */
export interface ChurnDeps<K extends AwsClientName = AwsClientName> {
  config: Config & { MESH_NAME: string; CONSUL_HTTP_ADDR: string };
  clients: Pick<AwsClients, K | 'ssm'>;
  consul: () => Promise<ConsulApi>;
  logger: Logger;
  /** The activity lines' logger (activity.ts): always at INFO, since GET /activity reads them back. */
  activity: Logger;
  metrics: Metrics;
}

export function createChurnDeps<K extends AwsClientName>(factories: AwsClientFactories<K | 'ssm'>, env: NodeJS.ProcessEnv = process.env): ChurnDeps<K> {
  const config = readConfig(env, ['MESH_NAME', 'CONSUL_HTTP_ADDR']);
  const clients = createAwsClients<K | 'ssm'>(factories);
  const consul = consulFromSsm({ address: config.CONSUL_HTTP_ADDR, tokenParameter: config.CONSUL_TOKEN_PARAMETER, ssm: clients.ssm });
  const logger = createLogger(env.POWERTOOLS_SERVICE_NAME ?? 'consul-mesh');
  const activity = createLogger(env.POWERTOOLS_SERVICE_NAME ?? 'consul-mesh', { level: 'INFO' });
  const metrics = new Metrics({ namespace: METRIC_NAMESPACE, serviceName: env.POWERTOOLS_SERVICE_NAME ?? 'consul-mesh' });
  return { config, clients, consul, logger, activity, metrics };
}

/** What handleTaskEvent needs. */
export async function taskEventDeps(deps: ChurnDeps<'ssm'>): Promise<TaskEventDeps> {
  return { consul: await deps.consul(), meshName: deps.config.MESH_NAME, logger: deps.logger, activity: deps.activity, specMaxAgeMs: deps.config.SPEC_CACHE_SECONDS * 1000 };
}

/** What reconcileMesh needs. */
export async function reconcileDeps(deps: ChurnDeps<'ecs'>): Promise<ReconcileDeps> {
  return {
    consul: await deps.consul(),
    ecs: deps.clients.ecs,
    meshName: deps.config.MESH_NAME,
    logger: deps.logger,
    activity: deps.activity,
    metrics: deps.metrics,
    concurrency: deps.config.RECONCILE_CONCURRENCY,
    // No spec cache (SPEC_CACHE_SECONDS is the event handler's): a run a minute reads the deployed spec afresh.
  };
}
