import type { RegisterTaskDefinitionCommandInput, Service, TaskDefinition, CreateServiceCommandInput } from '@aws-sdk/client-ecs';
import {
  buildCreateService,
  buildIngressTaskDefinition,
  buildServerTaskDefinition,
  buildServiceTaskDefinition,
  diffTaskDefinition,
  planService,
} from '../../../layers/domain/ecs';
import { contextFor, referenceSpec } from './support';

/** What DescribeTaskDefinition answers for a registered input: ECS's bookkeeping and its filled-in defaults. */
function asDescribed(input: RegisterTaskDefinitionCommandInput, revision = 3): TaskDefinition {
  const { tags: _tags, ...rest } = input;
  return {
    ...rest,
    taskDefinitionArn: `arn:aws:ecs:us-east-1:111122223333:task-definition/${input.family}:${revision}`,
    revision,
    status: 'ACTIVE',
    compatibilities: ['EC2', 'FARGATE'],
    requiresAttributes: [{ name: 'com.amazonaws.ecs.capability.docker-remote-api.1.29' }],
    registeredAt: new Date('2026-11-24T10:00:00Z'),
    registeredBy: 'arn:aws:sts::111122223333:assumed-role/deployer/session',
    volumes: (input.volumes ?? []).map((v) => ({ ...v, host: {} })),
    placementConstraints: [],
    containerDefinitions: (input.containerDefinitions ?? []).map((c) => ({
      cpu: 0,
      mountPoints: [],
      volumesFrom: [],
      systemControls: [],
      ...c,
      // ECS fills hostPort in awsvpc mode and writes the lists in its own order.
      portMappings: (c.portMappings ?? []).map((p) => ({ containerPort: p.containerPort, protocol: p.protocol, hostPort: p.containerPort })),
      environment: [...(c.environment ?? [])].reverse(),
    })),
  };
}

describe('diffTaskDefinition', () => {
  const spec = referenceSpec();
  const ctx = contextFor(spec);
  const desired = buildServiceTaskDefinition(spec, 'users', ctx);

  it('sees no change against the revision ECS describes for the same input', () => {
    expect(diffTaskDefinition(desired, asDescribed(desired))).toEqual({ changed: false, reasons: [] });
    const server = buildServerTaskDefinition(spec, ctx);
    expect(diffTaskDefinition(server, asDescribed(server))).toEqual({ changed: false, reasons: [] });
  });

  it('needs a first revision when none is registered or the latest is INACTIVE', () => {
    expect(diffTaskDefinition(desired, undefined)).toEqual({ changed: true, reasons: ['no registered revision'] });
    expect(diffTaskDefinition(desired, { ...asDescribed(desired), status: 'INACTIVE' }).changed).toBe(true);
  });

  it('names a changed image, env value, size and role', () => {
    const current = asDescribed(buildServiceTaskDefinition(spec, 'users', { ...ctx, images: { ...ctx.images, users: 'users:old' } }));
    expect(diffTaskDefinition(desired, current).reasons).toEqual([`containerDefinitions[users].image: "users:old" → "${ctx.images.users}"`]);

    const bigger = { ...desired, cpu: '512', memory: '1024', taskRoleArn: 'arn:aws:iam::111122223333:role/other' };
    expect(diffTaskDefinition(bigger, asDescribed(desired)).reasons).toEqual(['taskRoleArn: "arn:aws:iam::111122223333:role/mesh-service-task" → "arn:aws:iam::111122223333:role/other"', 'cpu: "256" → "512"', 'memory: "512" → "1024"']);

    const envSpec = referenceSpec();
    envSpec.clusters[0].services[0].env = { LOG_LEVEL: 'debug' };
    const withEnv = buildServiceTaskDefinition(envSpec, 'users', ctx);
    expect(diffTaskDefinition(withEnv, asDescribed(desired)).reasons).toEqual(['containerDefinitions[users].environment: (none) → [{"name":"LOG_LEVEL","value":"debug"}]']);
  });

  it('names added and removed containers', () => {
    const [app, dataplane] = desired.containerDefinitions ?? [];
    const withoutProxy = { ...desired, containerDefinitions: [app] };
    expect(diffTaskDefinition(withoutProxy, asDescribed(desired)).reasons).toContain('container consul-dataplane removed');
    expect(diffTaskDefinition(desired, asDescribed(withoutProxy)).reasons).toContain('container consul-dataplane added');
    expect(dataplane.name).toBe('consul-dataplane');
  });

  it('runs every task definition on the spec\'s CPU architecture, and sees a change of it (or a revision without one)', () => {
    const ingress = buildIngressTaskDefinition(spec, ctx);
    for (const td of [desired, buildServerTaskDefinition(spec, ctx), ingress]) {
      expect(td.runtimePlatform).toEqual({ cpuArchitecture: 'ARM64', operatingSystemFamily: 'LINUX' });
    }
    const x86 = { ...spec, network: { ...spec.network, cpuArchitecture: 'X86_64' as const } };
    const onX86 = buildServiceTaskDefinition(x86, 'users', ctx);
    expect(diffTaskDefinition(onX86, asDescribed(desired)).reasons).toEqual([
      'runtimePlatform: {"cpuArchitecture":"ARM64","operatingSystemFamily":"LINUX"} → {"cpuArchitecture":"X86_64","operatingSystemFamily":"LINUX"}',
    ]);
    const { runtimePlatform: _none, ...registeredBefore } = desired;
    expect(diffTaskDefinition(desired, asDescribed(registeredBefore)).reasons).toEqual(['runtimePlatform: (none) → {"cpuArchitecture":"ARM64","operatingSystemFamily":"LINUX"}']);
  });

  it('detects a field the spec no longer sets', () => {
    const current = asDescribed(desired);
    current.containerDefinitions = current.containerDefinitions?.map((c) => (c.name === 'users' ? { ...c, command: ['node', 'old.js'] } : c));
    expect(diffTaskDefinition(desired, current).reasons).toEqual(['containerDefinitions[users].command: ["node","old.js"] → (none)']);
  });
});

describe('planService', () => {
  const spec = referenceSpec();
  const taskDefinition = 'arn:aws:ecs:us-east-1:111122223333:task-definition/reference-mesh-users:3';
  const ctx = { subnets: ['subnet-0b0b0b0b', 'subnet-0a0a0a0a'], securityGroups: ['sg-0b0b0b0b', 'sg-0a0a0a0a'], taskDefinition };
  const desired = buildCreateService(spec, { role: 'service', service: 'users' }, ctx);

  /** What DescribeServices answers for a service created from `input`. */
  function described(input: CreateServiceCommandInput): Service {
    return {
      serviceArn: `arn:aws:ecs:us-east-1:111122223333:service/${input.cluster}/${input.serviceName}`,
      serviceName: input.serviceName,
      status: 'ACTIVE',
      taskDefinition: input.taskDefinition?.startsWith('arn:') ? input.taskDefinition : `arn:aws:ecs:us-east-1:111122223333:task-definition/${input.taskDefinition}`,
      desiredCount: input.desiredCount,
      runningCount: input.desiredCount,
      launchType: input.launchType,
      schedulingStrategy: input.schedulingStrategy,
      deploymentConfiguration: {
        ...input.deploymentConfiguration,
        deploymentCircuitBreaker: { ...input.deploymentConfiguration?.deploymentCircuitBreaker, enable: true, rollback: true },
        alarms: { alarmNames: [], enable: false, rollback: false },
      },
      networkConfiguration: {
        awsvpcConfiguration: {
          subnets: [...(input.networkConfiguration?.awsvpcConfiguration?.subnets ?? [])].reverse(),
          securityGroups: [...(input.networkConfiguration?.awsvpcConfiguration?.securityGroups ?? [])].reverse(),
          assignPublicIp: 'DISABLED',
        },
      },
      placementConstraints: [],
      propagateTags: input.propagateTags,
      enableECSManagedTags: input.enableECSManagedTags,
      deployments: [{ id: 'ecs-svc/1', status: 'PRIMARY', rolloutState: 'COMPLETED' }],
    };
  }

  it('creates a service ECS does not have, or has only as INACTIVE', () => {
    expect(planService(desired, undefined)).toEqual({ action: 'create', reasons: ['service users does not exist'], immutableChanges: [] });
    expect(planService(desired, { ...described(desired), status: 'INACTIVE' }).action).toBe('create');
  });

  it('leaves a service as described for the same input unchanged (list order does not matter)', () => {
    expect(planService(desired, described(desired))).toEqual({ action: 'unchanged', reasons: [], immutableChanges: [] });
  });

  it('updates a changed count, a new revision and changed rollout settings, naming each', () => {
    const current = described(desired);
    current.desiredCount = 1;
    current.taskDefinition = 'arn:aws:ecs:us-east-1:111122223333:task-definition/reference-mesh-users:2';
    current.deploymentConfiguration = { ...current.deploymentConfiguration, maximumPercent: 150 };
    expect(planService(desired, current)).toEqual({
      action: 'update',
      reasons: [
        'taskDefinition: "arn:aws:ecs:us-east-1:111122223333:task-definition/reference-mesh-users:2" → "arn:aws:ecs:us-east-1:111122223333:task-definition/reference-mesh-users:3"',
        'desiredCount: 1 → 2',
        'deploymentConfiguration.maximumPercent: 150 → 200',
      ],
      immutableChanges: [],
    });
  });

  it('compares only the family for a bare family name and then relies on the task definition diff', () => {
    const byFamily = buildCreateService(spec, { role: 'service', service: 'users' }, { ...ctx, taskDefinition: undefined });
    const current = described(desired);
    expect(planService(byFamily, current).action).toBe('unchanged');
    const plan = planService(byFamily, current, { taskDefinitionDiff: { changed: true, reasons: ['containerDefinitions[users].image: "a" → "b"'] } });
    expect(plan).toEqual({ action: 'update', reasons: ['task definition containerDefinitions[users].image: "a" → "b"'], immutableChanges: [] });
  });

  it('reports a launch type change as one UpdateService cannot make', () => {
    const current = { ...described(desired), launchType: 'EC2' as const };
    const plan = planService(desired, current);
    expect(plan.action).toBe('update');
    expect(plan.immutableChanges).toEqual(['launchType: "EC2" → "FARGATE"']);
  });

  it('notices changed subnets and security groups', () => {
    const current = described(desired);
    current.networkConfiguration = { awsvpcConfiguration: { subnets: ['subnet-0c0c0c0c'], securityGroups: ['sg-0a0a0a0a'], assignPublicIp: 'ENABLED' } };
    expect(planService(desired, current).reasons).toEqual([
      'networkConfiguration.subnets: ["subnet-0c0c0c0c"] → ["subnet-0a0a0a0a","subnet-0b0b0b0b"]',
      'networkConfiguration.securityGroups: ["sg-0a0a0a0a"] → ["sg-0a0a0a0a","sg-0b0b0b0b"]',
      'networkConfiguration.assignPublicIp: "ENABLED" → "DISABLED"',
    ]);
  });
});
