import { buildConfigEntries } from '../../../layers/domain/consul/config-entries';
import { buildAclPlan, renderMeshGatewayRules, renderOrchestratorRules } from '../../../layers/domain/consul/acl-policies';
import { buildDataplaneLaunch } from '../../../layers/domain/consul/dataplane-launch';
import { buildMeshGatewayTaskDefinition } from '../../../layers/domain/ecs/mesh-gateway-task-definition';
import type { Service } from '@aws-sdk/client-ecs';
import { buildCreateService, buildUpdateService } from '../../../layers/domain/ecs/service';
import { planService } from '../../../layers/domain/ecs/plan-service';
import { deployStages, meshClusters } from '../../../layers/domain/ecs/targets';
import { buildRegistration } from '../../../layers/domain/registration';
import { planRotation, rotatableSecrets } from '../../../layers/rotate/plan';
import type { MeshSpec, MeshSpecInput } from '../../../layers/domain/spec';
import { contextFor, referenceSpec, specFrom } from '../ecs/support';
import { taskOf } from '../registration/support';

const NLB = {
  mode: 'nlb' as const,
  address: 'mesh-gw-0123456789abcdef.elb.us-east-1.amazonaws.com',
  targetGroupArn: 'arn:aws:elasticloadbalancing:us-east-1:111122223333:targetgroup/mesh-gw/0123456789abcdef',
};

/** The reference topology's two clusters, peered with `west` through a mesh gateway, `users` calling `todos` there. */
function peered(overrides: Partial<MeshSpecInput> = {}): MeshSpec {
  return specFrom({
    name: 'reference-mesh',
    clusters: [
      {
        name: 'cluster-1',
        services: [
          { name: 'users', image: 'users:1.0.0', port: 8080, upstreams: [{ service: 'todos', localBindPort: 1234 }, { service: 'todos', peer: 'west', localBindPort: 1235 }] },
          { name: 'activities', image: 'activities:1.0.0', port: 8081 },
        ],
      },
      { name: 'cluster-2', services: [{ name: 'todos', image: 'todos:1.0.0', port: 8080 }] },
    ],
    meshGateway: { desiredCount: 2 },
    peers: [{ name: 'west', mesh: 'todos-mesh', region: 'eu-west-1', role: 'acceptor' }],
    exports: [{ service: 'activities', peers: ['west'] }, { service: 'todos', peers: ['west'] }],
    intentions: [
      { source: 'users', destination: 'todos', action: 'allow' },
      { source: 'users', peer: 'west', destination: 'todos', action: 'deny' },
      { source: '*', peer: 'west', destination: 'activities', action: 'allow' },
    ],
    ...overrides,
  });
}

/** A RUNNING task of the mesh gateway (the ingress fixture moved to the mesh gateway's cluster and family). */
function gatewayTask() {
  return taskOf('task-ingress-running', (detail) => {
    detail.clusterArn = 'arn:aws:ecs:us-east-1:111122223333:cluster/mesh-gateway';
    detail.taskArn = 'arn:aws:ecs:us-east-1:111122223333:task/mesh-gateway/5e6f7a8b9c0d1e2f3a4b5c6d7e8f9a0b';
    detail.group = 'service:mesh-gateway';
    detail.taskDefinitionArn = 'arn:aws:ecs:us-east-1:111122223333:task-definition/reference-mesh-mesh-gateway:1';
  });
}

describe('cluster peering: the mesh gateway and the config entries', () => {
  it('deploys the mesh gateway after the servers and before the service clusters', () => {
    expect(deployStages(peered()).map((stage) => stage.map((t) => t.role))).toEqual([['server'], ['mesh-gateway'], ['service', 'service', 'service']]);
    expect(meshClusters(peered()).map((c) => `${c.name}:${c.role}`)).toEqual(['consul-server:server', 'mesh-gateway:mesh-gateway', 'cluster-1:service', 'cluster-2:service']);
  });

  it('registers a gateway task as a mesh-gateway with its LAN and WAN addresses: the private IP in private mode', () => {
    const reg = buildRegistration(peered(), gatewayTask());
    expect(reg.node.Node).toBe('mesh-gateway');
    expect(reg.services).toEqual([
      expect.objectContaining({
        ID: 'mesh-gateway-5e6f7a8b9c0d1e2f3a4b5c6d7e8f9a0b',
        Service: 'mesh-gateway',
        Kind: 'mesh-gateway',
        Address: '10.0.3.15',
        Port: 8443,
        TaggedAddresses: { lan: { Address: '10.0.3.15', Port: 8443 }, wan: { Address: '10.0.3.15', Port: 8443 } },
      }),
    ]);
    expect(reg.checks.map((c) => c.CheckID)).toEqual(['mesh-gateway-5e6f7a8b9c0d1e2f3a4b5c6d7e8f9a0b:ecs-health']);
  });

  it('registers the NLB\'s DNS name as the WAN address in nlb mode, and has ECS put the tasks in its target group', () => {
    const spec = peered({ meshGateway: { wan: NLB } });
    const [gateway] = buildRegistration(spec, gatewayTask()).services;
    expect(gateway.TaggedAddresses).toEqual({ lan: { Address: '10.0.3.15', Port: 8443 }, wan: { Address: NLB.address, Port: 8443 } });
    expect(buildCreateService(spec, { role: 'mesh-gateway' }, { subnets: ['subnet-0123456789abcdef0'] }).loadBalancers).toEqual([
      { targetGroupArn: NLB.targetGroupArn, containerName: 'consul-dataplane', containerPort: 8443 },
    ]);
    expect(buildCreateService(peered(), { role: 'mesh-gateway' }, { subnets: ['subnet-0123456789abcdef0'] }).loadBalancers).toBeUndefined();
  });

  it('switches a deployed gateway between private and nlb with UpdateService: the target group added, or removed with an empty list', () => {
    const ctx = { subnets: ['subnet-0123456789abcdef0'] };
    const [privately, behindNlb] = [peered(), peered({ meshGateway: { desiredCount: 2, wan: NLB } })];
    const registered = [{ targetGroupArn: NLB.targetGroupArn, containerName: 'consul-dataplane', containerPort: 8443 }];
    // What ECS describes after each mode's CreateService (it echoes the load balancers it registers the tasks with).
    const described = (spec: MeshSpec) => {
      const input = buildCreateService(spec, { role: 'mesh-gateway' }, ctx);
      return { ...input, status: 'ACTIVE', loadBalancers: input.loadBalancers ?? [], networkConfiguration: input.networkConfiguration } as Service;
    };

    // private → nlb: an update, whose UpdateService registers the tasks in the target group.
    expect(planService(buildCreateService(behindNlb, { role: 'mesh-gateway' }, ctx), described(privately))).toMatchObject({ action: 'update', reasons: [expect.stringMatching(/^loadBalancers: /)] });
    expect(buildUpdateService(behindNlb, { role: 'mesh-gateway' }, ctx).loadBalancers).toEqual(registered);
    // nlb → private: an update too, whose empty list removes them (leaving the member out would keep them).
    expect(planService(buildCreateService(privately, { role: 'mesh-gateway' }, ctx), described(behindNlb))).toMatchObject({ action: 'update', reasons: [expect.stringMatching(/^loadBalancers: /)] });
    expect(buildUpdateService(privately, { role: 'mesh-gateway' }, ctx).loadBalancers).toEqual([]);
    // Unchanged either way; other services never send the member.
    expect(planService(buildCreateService(behindNlb, { role: 'mesh-gateway' }, ctx), described(behindNlb)).action).toBe('unchanged');
    expect(planService(buildCreateService(privately, { role: 'mesh-gateway' }, ctx), described(privately)).action).toBe('unchanged');
    expect(buildUpdateService(privately, { role: 'service', service: 'users' }, ctx)).not.toHaveProperty('loadBalancers');
  });

  it('gives a peered upstream its DestinationPeer, and leaves a local one as it was', () => {
    const reg = buildRegistration(peered(), taskOf('task-running'));
    expect(reg.services[1].Proxy?.Upstreams).toEqual([
      { DestinationType: 'service', DestinationName: 'todos', LocalBindAddress: '127.0.0.1', LocalBindPort: 1234 },
      { DestinationType: 'service', DestinationName: 'todos', DestinationPeer: 'west', LocalBindAddress: '127.0.0.1', LocalBindPort: 1235 },
    ]);
  });

  it('runs the gateway\'s dataplane as a mesh gateway on the gateway port, with its own token', () => {
    const spec = peered();
    const taskDefinition = buildMeshGatewayTaskDefinition(spec, contextFor(spec));
    expect(taskDefinition.family).toBe('reference-mesh-mesh-gateway');
    const [container] = taskDefinition.containerDefinitions ?? [];
    expect(container.portMappings).toEqual([{ containerPort: 8443, hostPort: 8443, protocol: 'tcp' }]);
    const launch = buildDataplaneLaunch(spec, { kind: 'mesh-gateway' });
    expect(launch.proxyKind).toBe('mesh-gateway');
    expect(launch.environment).toEqual(expect.arrayContaining([{ name: 'CONSUL_SERVICE_NAME', value: 'mesh-gateway' }, { name: 'CONSUL_NODE_NAME', value: 'mesh-gateway' }]));
    expect(launch.secrets).toContainEqual({ name: 'CONSUL_DATAPLANE_TOKEN', valueFrom: '/consul-mesh/reference-mesh/secrets/acl/dataplane/mesh-gateway' });
  });

  it('grants the mesh gateway Consul\'s documented mesh gateway rules, and the orchestrator write on its registration', () => {
    expect(renderMeshGatewayRules('mesh-gateway')).toBe(
      ['service "mesh-gateway" {', '  policy = "write"', '}', 'service_prefix "" {', '  policy = "read"', '}', 'node_prefix "" {', '  policy = "read"', '}', 'mesh = "write"', 'peering = "read"', ''].join('\n'),
    );
    const plan = buildAclPlan(peered());
    expect(plan.tokens.find((t) => t.role === 'mesh-gateway/mesh-gateway')?.Policies).toEqual([{ Name: 'reference-mesh-mesh-gateway-mesh-gateway' }]);
    const rules = renderOrchestratorRules(peered());
    expect(rules).toContain('node "mesh-gateway" {\n  policy = "write"\n}');
    expect(rules).toContain('service "mesh-gateway" {\n  policy = "write"\n}');
  });

  it('rotates the mesh gateway\'s token by rolling the gateway\'s tasks', () => {
    expect(rotatableSecrets(peered())).toContain('acl-token/mesh-gateway/mesh-gateway');
    expect(planRotation(peered(), 'acl-token/mesh-gateway/mesh-gateway').targets).toEqual([{ cluster: 'mesh-gateway', service: 'mesh-gateway', role: 'mesh-gateway' }]);
  });

  it('writes the mesh entry first and exported-services last, and intentions from a peer with their Peer', () => {
    const entries = buildConfigEntries(peered());
    expect(entries[0]).toEqual({ Kind: 'mesh', Name: 'mesh', Peering: { PeerThroughMeshGateways: true } });
    expect(entries[entries.length - 1]).toEqual({
      Kind: 'exported-services',
      Name: 'default',
      Services: [
        { Name: 'activities', Consumers: [{ Peer: 'west' }] },
        { Name: 'todos', Consumers: [{ Peer: 'west' }] },
      ],
    });
    expect(entries.filter((e) => e.Kind === 'service-intentions')).toEqual([
      { Kind: 'service-intentions', Name: 'todos', Sources: [{ Name: 'users', Action: 'allow' }, { Name: 'users', Peer: 'west', Action: 'deny' }] },
      { Kind: 'service-intentions', Name: 'activities', Sources: [{ Name: '*', Peer: 'west', Action: 'allow' }] },
    ]);
  });

  it('writes neither entry for a mesh without a mesh gateway or exports', () => {
    const kinds = buildConfigEntries(referenceSpec()).map((e) => e.Kind);
    expect(kinds).not.toContain('mesh');
    expect(kinds).not.toContain('exported-services');
  });
});
