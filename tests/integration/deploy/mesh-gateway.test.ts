import { DescribeClustersCommand, DescribeServicesCommand, ECSClient } from '@aws-sdk/client-ecs';
import type { LocalCloud } from '@consul-mesh/local-cloud';
import { bootstrapTokenOf, deploy, referenceSpec, ROOT, startCloud, type RawSpec } from './harness';
import { testCloudOptions } from '../../support/test-cloud';

/**
 * A mesh that peers through a mesh gateway, deployed on the local cloud (one region: its peer `west` is declared but
 * not established yet): the gateway's registration, the `mesh` and `exported-services` entries and the peered
 * upstream in the proxy registration; then the changes a mesh lives through (an export removed, the gateway removed)
 * converge, and an unchanged spec writes nothing.
 */
describe('a mesh with a mesh gateway and exports', () => {
  let cloud: LocalCloud;

  beforeAll(async () => {
    // The event handlers read the deployed spec at each event (SPEC_CACHE_SECONDS 0): a gateway moved behind an NLB
    // registers the NLB's address at once, where the default cache has the gateway stage wait (polls without a pause
    // here) for the task's next event or the reconcile (tests/unit/deploy/stage-mesh-gateway-wan.test.ts).
    cloud = await startCloud({ functionEnvironment: { ...testCloudOptions(ROOT).functionEnvironment, SPEC_CACHE_SECONDS: '0' } });
  }, 300_000);
  afterAll(async () => {
    await cloud?.stop();
  });

  /** The reference mesh peered with `west`: users calls west's todos, and todos and activities are exported to west. */
  function peered(mutate?: (spec: RawSpec) => void): Record<string, unknown> {
    return referenceSpec((spec) => {
      spec.meshGateway = {};
      spec.peers = [{ name: 'west', mesh: 'todos-mesh', region: 'eu-west-1', role: 'acceptor' }];
      spec.exports = [
        { service: 'todos', peers: ['west'] },
        { service: 'activities', peers: ['west'] },
      ];
      spec.clusters[0].services[0].upstreams = [
        { service: 'todos', localBindPort: 1234 },
        { service: 'todos', peer: 'west', localBindPort: 1235 },
      ];
      spec.intentions = [{ source: 'users', peer: 'west', destination: 'todos', action: 'allow' }];
      mutate?.(spec);
    });
  }

  async function consul<T>(path: string, init: RequestInit = {}): Promise<{ status: number; body: T }> {
    const response = await fetch(`${cloud.endpoints.consul}${path}`, { ...init, headers: { 'X-Consul-Token': await bootstrapTokenOf(cloud) } });
    const text = await response.text();
    // Consul answers errors (a 404 for a config entry that does not exist) in plain text.
    return { status: response.status, body: (response.ok && text ? JSON.parse(text) : text) as T };
  }

  interface HealthEntry {
    Service: { ID: string; Kind?: string; Address: string; Port: number; TaggedAddresses?: Record<string, { Address: string; Port: number }> };
    Checks: Array<{ Status: string }>;
  }

  it('registers the gateway as a passing mesh-gateway, writes the mesh and exported-services entries and the peered upstream', async () => {
    const run = await deploy(cloud, peered());
    expect({ status: run.status, cause: run.cause }).toEqual({ status: 'SUCCEEDED', cause: undefined });
    expect(run.output?.clusters.map((c) => `${c.cluster}:${c.role}`)).toContain('mesh-gateway:mesh-gateway');

    const { body: gateways } = await consul<HealthEntry[]>('/v1/health/service/mesh-gateway');
    expect(gateways).toHaveLength(1);
    const [gateway] = gateways;
    expect(gateway.Service).toMatchObject({ Kind: 'mesh-gateway', Port: 8443 });
    expect(gateway.Service.Address).toMatch(/^10\./);
    const address = { Address: gateway.Service.Address, Port: 8443 };
    expect(gateway.Service.TaggedAddresses).toEqual({ lan: address, wan: address });
    expect(gateway.Checks.filter((c) => c.Status !== 'passing')).toEqual([]);

    expect((await consul('/v1/config/mesh/mesh')).body).toMatchObject({ Kind: 'mesh', Peering: { PeerThroughMeshGateways: true } });
    expect((await consul('/v1/config/exported-services/default')).body).toMatchObject({
      Services: [
        { Name: 'todos', Consumers: [{ Peer: 'west' }] },
        { Name: 'activities', Consumers: [{ Peer: 'west' }] },
      ],
    });
    expect((await consul('/v1/config/service-intentions/todos')).body).toMatchObject({ Sources: [{ Name: 'users', Peer: 'west', Action: 'allow' }] });

    const { body: proxies } = await consul<Array<{ ServiceProxy: { Upstreams: Array<Record<string, unknown>> } }>>('/v1/catalog/service/users-sidecar-proxy');
    expect(proxies).toHaveLength(2);
    for (const proxy of proxies) {
      expect(proxy.ServiceProxy.Upstreams.map((u) => ({ name: u.DestinationName, peer: u.DestinationPeer ?? '', port: u.LocalBindPort }))).toEqual([
        { name: 'todos', peer: '', port: 1234 },
        { name: 'todos', peer: 'west', port: 1235 },
      ]);
    }

    // With peering through mesh gateways, the acceptor's token hands the peer the gateway's WAN address to dial.
    const { body: generated } = await consul<{ PeeringToken: string }>('/v1/peering/token', { method: 'POST', body: JSON.stringify({ PeerName: 'west' }) });
    const token = JSON.parse(Buffer.from(generated.PeeringToken, 'base64').toString('utf8')) as { ServerAddresses: string[] };
    expect(token.ServerAddresses).toEqual([`${address.Address}:8443`]);
  }, 180_000);

  it('writes nothing when deployed again unchanged', async () => {
    const run = await deploy(cloud, peered());
    expect({ status: run.status, noChange: run.output?.noChange }).toEqual({ status: 'SUCCEEDED', noChange: true });
  }, 180_000);

  it('moves a deployed gateway behind an NLB and back: ECS updates its target group, the new tasks register the new WAN address', async () => {
    const NLB = {
      mode: 'nlb',
      address: 'mesh-gw-0123456789abcdef.elb.us-east-1.amazonaws.com',
      targetGroupArn: 'arn:aws:elasticloadbalancing:us-east-1:000000000000:targetgroup/mesh-gw/0123456789abcdef',
    };
    const ecs = new ECSClient({ endpoint: cloud.endpoints.aws, region: 'us-east-1', credentials: { accessKeyId: 'test', secretAccessKey: 'test' } });
    const gatewayService = async () => (await ecs.send(new DescribeServicesCommand({ cluster: 'mesh-gateway', services: ['mesh-gateway'] }))).services?.[0];
    const wan = async () => {
      const { body } = await consul<HealthEntry[]>('/v1/health/service/mesh-gateway?passing');
      return body.map((g) => g.Service.TaggedAddresses?.wan?.Address);
    };
    try {
      const before = (await gatewayService())?.taskDefinition;
      const behind = await deploy(cloud, peered((spec) => {
        spec.meshGateway = { wan: NLB };
      }));
      expect({ status: behind.status, cause: behind.cause }).toEqual({ status: 'SUCCEEDED', cause: undefined });
      expect(behind.output?.noChange).toBe(false);
      expect((await gatewayService())?.loadBalancers).toEqual([{ targetGroupArn: NLB.targetGroupArn, containerName: 'consul-dataplane', containerPort: 8443 }]);
      expect((await gatewayService())?.taskDefinition).toBe(before);
      expect(await wan()).toEqual([NLB.address]);

      const back = await deploy(cloud, peered());
      expect({ status: back.status, cause: back.cause }).toEqual({ status: 'SUCCEEDED', cause: undefined });
      expect((await gatewayService())?.loadBalancers ?? []).toEqual([]);
      const [address] = await wan();
      expect(address).toMatch(/^10\./);
    } finally {
      ecs.destroy();
    }
  }, 360_000);

  it('takes an export out of the exported-services entry when the spec drops it', async () => {
    const run = await deploy(cloud, peered((spec) => {
      spec.exports = [{ service: 'todos', peers: ['west'] }];
    }));
    expect({ status: run.status, cause: run.cause }).toEqual({ status: 'SUCCEEDED', cause: undefined });
    expect((await consul<{ Services: unknown[] }>('/v1/config/exported-services/default')).body.Services).toEqual([{ Name: 'todos', Consumers: [{ Peer: 'west' }] }]);
  }, 180_000);

  it('removes the gateway\'s service, cluster, registration and entries when the spec drops the mesh gateway', async () => {
    const run = await deploy(cloud, referenceSpec());
    expect({ status: run.status, cause: run.cause }).toEqual({ status: 'SUCCEEDED', cause: undefined });
    expect(run.output?.clusters.map((c) => c.cluster)).not.toContain('mesh-gateway');
    expect((await consul<HealthEntry[]>('/v1/health/service/mesh-gateway')).body).toEqual([]);
    expect((await consul('/v1/config/mesh/mesh')).status).toBe(404);
    expect((await consul('/v1/config/exported-services/default')).status).toBe(404);
    const { body: proxies } = await consul<Array<{ ServiceProxy: { Upstreams: Array<Record<string, unknown>> } }>>('/v1/catalog/service/users-sidecar-proxy');
    expect(proxies.flatMap((p) => p.ServiceProxy.Upstreams.map((u) => u.DestinationPeer ?? ''))).toEqual(['', '']);
    const ecs = new ECSClient({ endpoint: cloud.endpoints.aws, region: 'us-east-1', credentials: { accessKeyId: 'test', secretAccessKey: 'test' } });
    try {
      const { clusters } = await ecs.send(new DescribeClustersCommand({ clusters: ['mesh-gateway'] }));
      expect((clusters ?? []).filter((c) => c.status === 'ACTIVE')).toEqual([]);
    } finally {
      ecs.destroy();
    }
  }, 180_000);
});
