/**
 * Running a fleet of simulated tasks through the real ECS API: clusters, one Fargate task definition, services
 * whose scheduler starts `desiredCount` tasks each.
 */
import {
  CreateClusterCommand,
  CreateServiceCommand,
  ListTasksCommand,
  RegisterTaskDefinitionCommand,
  type ECSClient,
} from '@aws-sdk/client-ecs';
import type { EcsSimulation } from '@consul-mesh/local-cloud';
import { pollUntil } from '../lib/clock';
import { REGION } from './cloud';

export type FleetPlan = {
  clusters: string[];
  servicesPerCluster: number;
  tasksPerService: number;
};

export const TASK_FAMILY = 'bench-web';

/** Fargate tasks need awsvpc networking; the subnets are of the simulated VPC and never contacted. */
const NETWORK = {
  awsvpcConfiguration: { subnets: ['subnet-0bench0001', 'subnet-0bench0002'], securityGroups: ['sg-0bench0001'], assignPublicIp: 'DISABLED' as const },
};

export function fleetSize(plan: FleetPlan): number {
  return plan.clusters.length * plan.servicesPerCluster * plan.tasksPerService;
}

/** Registers the task definition the fleets run (once per simulation). */
export async function registerBenchTaskDefinition(client: ECSClient): Promise<void> {
  await client.send(
    new RegisterTaskDefinitionCommand({
      family: TASK_FAMILY,
      networkMode: 'awsvpc',
      requiresCompatibilities: ['FARGATE'],
      cpu: '256',
      memory: '512',
      containerDefinitions: [
        { name: 'web', image: 'bench-web:1.0.0', essential: true, portMappings: [{ containerPort: 8080, protocol: 'tcp' }] },
      ],
    }),
  );
}

/** Creates the clusters and services of `plan`; the scheduler then starts their tasks asynchronously. */
export async function launchFleet(client: ECSClient, plan: FleetPlan): Promise<void> {
  for (const cluster of plan.clusters) {
    await client.send(new CreateClusterCommand({ clusterName: cluster }));
    for (let i = 0; i < plan.servicesPerCluster; i++) {
      await client.send(
        new CreateServiceCommand({
          cluster,
          serviceName: `svc-${i}`,
          taskDefinition: TASK_FAMILY,
          desiredCount: plan.tasksPerService,
          launchType: 'FARGATE',
          networkConfiguration: NETWORK,
        }),
      );
    }
  }
}

/** RUNNING tasks of the plan's clusters, from the simulation's own counters (no API call, so no extra load). */
export function runningCount(ecs: EcsSimulation, clusters: readonly string[]): number {
  let running = 0;
  for (const cluster of clusters) {
    for (const service of ecs.services(REGION, cluster)) running += service.runningCount;
  }
  return running;
}

/** Resolves once every task of `plan` is RUNNING. Polled every `intervalMs`, which bounds the precision. */
export async function waitForFleet(ecs: EcsSimulation, plan: FleetPlan, options: { timeoutMs: number; intervalMs: number }): Promise<void> {
  const expected = fleetSize(plan);
  await pollUntil(() => runningCount(ecs, plan.clusters) >= expected, {
    ...options,
    describe: () => `${runningCount(ecs, plan.clusters)} of ${expected} tasks RUNNING`,
  });
}

/** Every RUNNING task ARN of one cluster, through ListTasks' pages of 100 (as a caller of DescribeTasks gets them). */
export async function listRunningTaskArns(client: ECSClient, cluster: string): Promise<string[]> {
  const arns: string[] = [];
  let nextToken: string | undefined;
  do {
    const page = await client.send(new ListTasksCommand({ cluster, desiredStatus: 'RUNNING', nextToken }));
    arns.push(...(page.taskArns ?? []));
    nextToken = page.nextToken;
  } while (nextToken);
  return arns;
}
