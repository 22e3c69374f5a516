import { CreateClusterCommand, CreateServiceCommand, RegisterTaskDefinitionCommand, type ECSClient } from '@aws-sdk/client-ecs';

/**
 * Starts one Consul server task through the ECS API of `ecs`'s region: the cluster, a task definition and a service
 * named `consul-server`, which is how the local cloud recognises the servers of a datacenter (a leader exists only
 * while a quorum of them runs). The image is one the local cloud did not build: it runs as its tag says. For tests
 * that need a datacenter with a leader and not a whole deployment.
 */
export async function runConsulServerTask(ecs: ECSClient): Promise<void> {
  await ecs.send(new CreateClusterCommand({ clusterName: 'consul-server' }));
  await ecs.send(
    new RegisterTaskDefinitionCommand({
      family: 'consul-server',
      networkMode: 'awsvpc',
      requiresCompatibilities: ['FARGATE'],
      cpu: '256',
      memory: '512',
      containerDefinitions: [{ name: 'consul', image: 'hashicorp/consul:1.20.2', essential: true }],
    }),
  );
  await ecs.send(
    new CreateServiceCommand({
      cluster: 'consul-server',
      serviceName: 'consul-server',
      taskDefinition: 'consul-server',
      desiredCount: 1,
      launchType: 'FARGATE',
      networkConfiguration: { awsvpcConfiguration: { subnets: ['subnet-1'] } },
    }),
  );
}
