import { Metrics } from '@aws-lambda-powertools/metrics';
import type { Logger } from '@aws-lambda-powertools/logger';
import { createAwsClients, type AwsClients } from '../adapters/aws';
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
 * config, the AWS clients, the Consul client (token from SSM), the logger and the metrics. The functions of
 * layers/churn receive what they need from here and build nothing themselves.
 */
export interface ChurnDeps {
  config: Config & { MESH_NAME: string; CONSUL_HTTP_ADDR: string };
  clients: AwsClients;
  consul: () => Promise<ConsulApi>;
  logger: Logger;
  metrics: Metrics;
}

export function createChurnDeps(env: NodeJS.ProcessEnv = process.env): ChurnDeps {
  const config = readConfig(env, ['MESH_NAME', 'CONSUL_HTTP_ADDR']);
  const clients = createAwsClients();
  const consul = consulFromSsm({ address: config.CONSUL_HTTP_ADDR, tokenParameter: config.CONSUL_TOKEN_PARAMETER, ssm: clients.ssm });
  const logger = createLogger(env.POWERTOOLS_SERVICE_NAME ?? 'consul-mesh');
  const metrics = new Metrics({ namespace: METRIC_NAMESPACE, serviceName: env.POWERTOOLS_SERVICE_NAME ?? 'consul-mesh' });
  return { config, clients, consul, logger, metrics };
}

/** What handleTaskEvent needs. */
export async function taskEventDeps(deps: ChurnDeps): Promise<TaskEventDeps> {
  return { consul: await deps.consul(), meshName: deps.config.MESH_NAME, logger: deps.logger, specMaxAgeMs: deps.config.SPEC_CACHE_SECONDS * 1000 };
}

/** What reconcileMesh needs. */
export async function reconcileDeps(deps: ChurnDeps): Promise<ReconcileDeps> {
  return {
    consul: await deps.consul(),
    ecs: deps.clients.ecs,
    meshName: deps.config.MESH_NAME,
    logger: deps.logger,
    metrics: deps.metrics,
    concurrency: deps.config.RECONCILE_CONCURRENCY,
    // No spec cache (SPEC_CACHE_SECONDS is the event handler's): a run a minute reads the deployed spec afresh.
  };
}
