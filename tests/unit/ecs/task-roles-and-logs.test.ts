import type { RegisterTaskDefinitionCommandInput } from '@aws-sdk/client-ecs';
import { buildIngressTaskDefinition, buildServerTaskDefinition, buildServiceTaskDefinition, logGroupName } from '../../../layers/domain/ecs';
import { contextFor, referenceSpec } from './support';

/**
 * What every task definition asks of IAM and CloudWatch Logs on a real account: each kind of task runs with its
 * own task role (an app container never holds the servers' ECS permissions), and no container asks ECS to create
 * its log group (which would need logs:CreateLogGroup on the execution role; the stack declares the group).
 */
describe('task definitions: task roles and log groups', () => {
  const spec = referenceSpec();
  const ctx = contextFor(spec);
  const server = buildServerTaskDefinition(spec, ctx);
  const gateway = buildIngressTaskDefinition(spec, ctx);
  const services = spec.clusters.flatMap((c) => c.services.map((s) => buildServiceTaskDefinition(spec, s.name, ctx)));
  const all: RegisterTaskDefinitionCommandInput[] = [server, gateway, ...services];

  it('gives the servers, the gateway and the services each their own task role', () => {
    expect(server.taskRoleArn).toBe(ctx.taskRoleArns.server);
    expect(gateway.taskRoleArn).toBe(ctx.taskRoleArns['ingress-gateway']);
    for (const td of services) expect(td.taskRoleArn).toBe(ctx.taskRoleArns.service);
    expect(new Set([server.taskRoleArn, gateway.taskRoleArn, services[0].taskRoleArn]).size).toBe(3);
  });

  it('starts every task with the one execution role', () => {
    for (const td of all) expect(td.executionRoleArn).toBe(ctx.executionRoleArn);
  });

  it('logs every container to the mesh log group without asking ECS to create it', () => {
    const containers = all.flatMap((td) => td.containerDefinitions ?? []);
    expect(containers.length).toBe(2 + 2 * services.length);
    for (const c of containers) {
      expect(c.logConfiguration?.logDriver).toBe('awslogs');
      expect(c.logConfiguration?.options?.['awslogs-group']).toBe('/ecs/consul-mesh/reference-mesh');
      expect(c.logConfiguration?.options).not.toHaveProperty('awslogs-create-group');
    }
    expect(logGroupName(spec)).toBe('/ecs/consul-mesh/reference-mesh');
  });
});
