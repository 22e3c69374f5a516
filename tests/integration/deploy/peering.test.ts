import { ECSClient } from '@aws-sdk/client-ecs';
import { createSsmApi } from '../../../layers/adapters/ssm';
import { GetParameterCommand, SSMClient } from '@aws-sdk/client-ssm';
import { resolve } from 'node:path';
import { startLocalCloud } from '../../../cli/local-cloud';
import type { LocalCloud } from '@consul-mesh/local-cloud';
import { createConsulCall, createConsulClient } from '../../../layers/adapters/consul';
import { renderOrchestratorRules } from '../../../layers/domain/consul/acl-policies';
import { loadMeshSpec } from '../../../layers/domain/spec';
import type { MeshSpec } from '../../../layers/domain/spec/schema';
import { removeFromConsul, type DestroyPlan } from '../../../layers/deploy/teardown';
import { parse } from 'yaml';
import { checkPeeringsActive, createPeeringApi, ensurePeerings, markedPeers, peeringTokenParameter, removePeerings, type PeeringDeps } from '../../../layers/deploy/peering';
import { ensurePeeringStage, removedPeers } from '../../../layers/deploy/peering-stage';
import { waitFor as until } from '../../support/wait';
import { runConsulServerTask } from '../../support/consul-server-task';
import { ZERO_ECS_DELAYS } from '../../support/test-cloud';

/**
 * The peering steps of two meshes' deployments (layers/deploy/peering.ts) against the local cloud's two regions: the
 * two Consul datacenters with ACLs (each side with the orchestrator's own policy, not a management token), and SSM
 * in both regions through the real SDK client, the token crossing regions as a SecureString.
 */

const ROOT = resolve(__dirname, '../../..');
const MANAGEMENT = { 'X-Consul-Token': 'root-secret' };

const meshYaml = (name: string, region: string, peers: string) => `name: ${name}
region: ${region}
consul:
  servers: { count: 1 }
  dataplane: { image: "hashicorp/consul-dataplane:1.6.0" }
clusters:
  - name: shop
    services:
      - { name: cart, image: "cart:1.0.0", port: 8080 }
meshGateway: {}
${peers}`;

const EAST = loadMeshSpec(meshYaml('east-mesh', 'us-east-1', 'peers:\n  - { name: west, mesh: west-mesh, region: eu-west-1, role: acceptor }\nexports:\n  - { service: cart, peers: [west] }\n'));
const WEST = loadMeshSpec(meshYaml('west-mesh', 'eu-west-1', 'peers:\n  - { name: east, mesh: east-mesh, region: us-east-1, role: dialer }\n'));
const LONELY = loadMeshSpec(meshYaml('east-mesh', 'us-east-1', ''));

describe('peering two deployed meshes: the acceptor stores the token, the dialer establishes with it across regions', () => {
  let cloud: LocalCloud;
  const clients: Array<{ destroy(): void }> = [];

  const ssmIn = (region: string) => {
    const client = new SSMClient({ endpoint: cloud.endpoints.aws, region, credentials: { accessKeyId: 'test', secretAccessKey: 'test' } });
    clients.push(client);
    return client;
  };
  const consulUrl = (spec: MeshSpec) => (spec.region === 'us-east-1' ? cloud.endpoints.consul : (cloud.endpoints.peer?.consul as string));

  /** A token with the orchestrator's policy for `spec` (what ensureAcl gives the functions), in its datacenter. */
  async function orchestratorToken(spec: MeshSpec, previous?: MeshSpec, removing?: Parameters<typeof renderOrchestratorRules>[2]): Promise<string> {
    const url = consulUrl(spec);
    const name = `orchestrator-${spec.name}-${Math.random().toString(36).slice(2, 8)}`;
    await fetch(`${url}/v1/acl/policy`, { method: 'PUT', headers: MANAGEMENT, body: JSON.stringify({ Name: name, Rules: renderOrchestratorRules(spec, previous, removing) }) });
    const token = (await (await fetch(`${url}/v1/acl/token`, { method: 'PUT', headers: MANAGEMENT, body: JSON.stringify({ Policies: [{ Name: name }] }) })).json()) as { SecretID: string };
    return token.SecretID;
  }

  async function depsOf(spec: MeshSpec, previous?: MeshSpec, removing?: Parameters<typeof renderOrchestratorRules>[2]): Promise<PeeringDeps> {
    const call = createConsulCall({ address: consulUrl(spec), token: await orchestratorToken(spec, previous, removing) });
    return { peering: createPeeringApi(call), ssm: { home: createSsmApi(ssmIn(spec.region)), inRegion: (region) => createSsmApi(ssmIn(region)) } };
  }

  const stateOf = async (spec: MeshSpec, name: string) => {
    const response = await fetch(`${consulUrl(spec)}/v1/peering/${name}`, { headers: MANAGEMENT });
    return response.status === 200 ? ((await response.json()) as { State: string }).State : `HTTP ${response.status}`;
  };

  /** One Consul server task in `region`, so that its datacenter has a leader. */
  async function runServers(region: string): Promise<void> {
    const ecs = new ECSClient({ endpoint: cloud.endpoints.aws, region, credentials: { accessKeyId: 'test', secretAccessKey: 'test' } });
    clients.push(ecs);
    await runConsulServerTask(ecs);
  }

  beforeAll(async () => {
    cloud = await startLocalCloud({
      rootDir: ROOT,
      ports: { aws: 0, consul: 0, httpApi: 0, peerConsul: 0, peerHttpApi: 0 },
      peerRegion: { region: 'eu-west-1' },
      ecsDelays: ZERO_ECS_DELAYS,
      stepFunctionsTimeScale: 0,
      logger: () => undefined,
    });
    cloud.consul.addToken('root-secret', 'management');
    cloud.peer?.consul.addToken('root-secret', 'management');
    await Promise.all([runServers('us-east-1'), runServers('eu-west-1')]);
    for (const url of [cloud.endpoints.consul, cloud.endpoints.peer?.consul]) {
      await until(`a leader at ${url}`, async () => (((await (await fetch(`${url}/v1/status/leader`)).json()) as string) || undefined));
    }
  }, 300_000);

  afterAll(async () => {
    clients.forEach((client) => client.destroy());
    await cloud?.settle();
    await cloud?.stop();
  });

  it('refuses to dial before the acceptor has generated its token, naming the mesh and region to deploy first', async () => {
    await expect(ensurePeerings(WEST, await depsOf(WEST))).rejects.toMatchObject({
      name: 'PeeringTokenMissing',
      message: expect.stringContaining('deploy mesh "east-mesh" in region us-east-1 first'),
    });
  });

  it('needs peering:write: the orchestrator policy of a mesh without peers cannot generate a token', async () => {
    const call = createConsulCall({ address: cloud.endpoints.consul, token: await orchestratorToken(LONELY) });
    await expect(createPeeringApi(call).generateToken('west')).rejects.toMatchObject({ name: 'ConsulAclDenied' });
  });

  it('generates the token once as a SecureString in the acceptor\'s region, then establishes from the other region and waits for ACTIVE', async () => {
    const parameter = peeringTokenParameter('east-mesh', 'west-mesh');
    const east = await depsOf(EAST);
    expect(await ensurePeerings(EAST, east)).toEqual([{ name: 'west', role: 'acceptor', action: 'token-generated', state: 'PENDING' }]);
    const stored = (await ssmIn('us-east-1').send(new GetParameterCommand({ Name: parameter }))).Parameter;
    expect(stored).toMatchObject({ Type: 'SecureString', Version: 1 });
    // Not in the dialer's region: it reads across regions.
    await expect(ssmIn('eu-west-1').send(new GetParameterCommand({ Name: parameter }))).rejects.toMatchObject({ name: 'ParameterNotFound' });

    // A second deployment of the acceptor writes nothing: the token is valid while its peering is PENDING.
    expect(await ensurePeerings(EAST, east)).toEqual([{ name: 'west', role: 'acceptor', action: 'token-kept', state: 'PENDING' }]);
    expect((await ssmIn('us-east-1').send(new GetParameterCommand({ Name: parameter }))).Parameter?.Version).toBe(1);

    const west = await depsOf(WEST);
    expect(await ensurePeerings(WEST, west)).toEqual([{ name: 'east', role: 'dialer', action: 'established', state: 'ESTABLISHING' }]);
    const active = await until('ACTIVE', async () => checkPeeringsActive(WEST, west).catch((error: Error) => (error.name === 'PeeringNotActive' ? undefined : Promise.reject(error))));
    expect(active).toEqual([{ name: 'east', state: 'ACTIVE' }]);
    expect(await stateOf(EAST, 'west')).toBe('ACTIVE');

    // Both sides deployed again: nothing generated, nothing established, the token's version unchanged.
    expect(await ensurePeerings(WEST, west)).toEqual([{ name: 'east', role: 'dialer', action: 'kept', state: 'ACTIVE' }]);
    expect(await ensurePeerings(EAST, east)).toEqual([{ name: 'west', role: 'acceptor', action: 'token-kept', state: 'ACTIVE' }]);
    expect((await ssmIn('us-east-1').send(new GetParameterCommand({ Name: parameter }))).Parameter?.Version).toBe(1);

    // Each side's peering carries its mesh's mark (Meta), which GET /v1/peerings lists.
    expect(markedPeers('east-mesh', await east.peering.list())).toEqual([{ name: 'west', mesh: 'west-mesh', region: 'eu-west-1', role: 'acceptor' }]);
    expect(markedPeers('west-mesh', await west.peering.list())).toEqual([{ name: 'east', mesh: 'east-mesh', region: 'us-east-1', role: 'dialer' }]);
  });

  it('shows each side what it imports and exports (what GET /mesh reports), with the orchestrator\'s own token', async () => {
    const management = (url: string, path: string, body: unknown) => fetch(`${url}${path}`, { method: 'PUT', headers: MANAGEMENT, body: JSON.stringify(body) });
    await management(cloud.endpoints.consul, '/v1/catalog/register', {
      Node: 'shop',
      Address: '10.0.0.9',
      Service: { ID: 'cart-1', Service: 'cart', Port: 8080 },
      Check: { CheckID: 'cart-1-health', Name: 'cart', Status: 'passing', ServiceID: 'cart-1' },
    });
    await management(cloud.endpoints.consul, '/v1/config', { Kind: 'exported-services', Name: 'default', Services: [{ Name: 'cart', Consumers: [{ Peer: 'west' }] }] });
    const west = createConsulClient({ address: consulUrl(WEST), token: await orchestratorToken(WEST) });
    const east = createConsulClient({ address: consulUrl(EAST), token: await orchestratorToken(EAST) });
    const imported = await until('cart imported in eu-west-1', async () => {
      const status = await west.readPeering('east');
      return status?.StreamStatus?.ImportedServices?.includes('cart') ? status : undefined;
    });
    expect(imported.State).toBe('ACTIVE');
    expect((await east.readPeering('west'))?.StreamStatus?.ExportedServices).toEqual(['cart']);
    expect(await east.readPeering('nobody')).toBeUndefined();
  });

  it('reports a peering that is not ACTIVE as PeeringNotActive, naming it and its state', async () => {
    const lost = loadMeshSpec(meshYaml('west-mesh', 'eu-west-1', 'peers:\n  - { name: nobody, mesh: nobody-mesh, region: ap-south-1, role: dialer }\n'));
    await expect(checkPeeringsActive(lost, await depsOf(lost))).rejects.toMatchObject({
      name: 'PeeringNotActive',
      message: 'waiting for peering "nobody" (UNDEFINED) to be ACTIVE',
    });
  });

  it('removing the peer from the acceptor\'s spec deletes the peering and its token; the dialer\'s side is TERMINATED', async () => {
    const east = await depsOf(LONELY, EAST);
    expect(await removePeerings(LONELY, EAST, east)).toEqual([{ name: 'west', role: 'acceptor', action: 'deleted' }]);
    await until('the acceptor\'s peering gone', async () => ((await stateOf(EAST, 'west')) === 'HTTP 404' ? true : undefined));
    await until('the dialer\'s peering TERMINATED', async () => ((await stateOf(WEST, 'east')) === 'TERMINATED' ? true : undefined));
    await expect(ssmIn('us-east-1').send(new GetParameterCommand({ Name: peeringTokenParameter('east-mesh', 'west-mesh') }))).rejects.toMatchObject({ name: 'ParameterNotFound' });
    // Idempotent: a second removal finds nothing to delete, fails on nothing and reports nothing deleted.
    expect(await removePeerings(LONELY, EAST, east)).toEqual([]);
  });

  it('deletes a marked peering that neither the spec nor the deployed spec names (a deployment stopped before its peering stage); an unmarked one stays', async () => {
    const eastYaml = meshYaml('east-mesh', 'us-east-1', 'peers:\n  - { name: west3, mesh: west-mesh, region: eu-west-1, role: acceptor }\n');
    const westYaml = meshYaml('west-mesh', 'eu-west-1', 'peers:\n  - { name: east3, mesh: east-mesh, region: us-east-1, role: dialer }\n');
    const [east, west] = [loadMeshSpec(eastYaml), loadMeshSpec(westYaml)];
    await ensurePeerings(east, await depsOf(east));
    await ensurePeerings(west, await depsOf(west));
    // Someone else's peering in the same datacenter, without the mark.
    await fetch(`${cloud.endpoints.consul}/v1/peering/token`, { method: 'POST', headers: MANAGEMENT, body: JSON.stringify({ PeerName: 'by-hand' }) });

    // The plan of a spec without peers, whose deployed spec has none either: only Consul's list names west3.
    const plain = createConsulClient({ address: consulUrl(LONELY), token: await orchestratorToken(LONELY, LONELY, { peerings: true }) });
    const marked = markedPeers('east-mesh', await plain.listPeerings());
    expect(marked).toEqual([{ name: 'west3', mesh: 'west-mesh', region: 'eu-west-1', role: 'acceptor' }]);
    const removed = removedPeers(LONELY, { peers: [] }, marked);
    // The stage, with the rule the ACL step keeps for it (removing.peerings).
    const status = await ensurePeeringStage(LONELY, { removed }, await depsOf(LONELY, LONELY, { peerings: true }));
    expect(status.peers).toEqual([{ name: 'west3', role: 'acceptor', action: 'deleted' }]);
    await until('the acceptor\'s peering gone', async () => ((await stateOf(east, 'west3')) === 'HTTP 404' ? true : undefined));
    await until('the dialer\'s side TERMINATED', async () => ((await stateOf(west, 'east3')) === 'TERMINATED' ? true : undefined));
    expect(await stateOf(east, 'by-hand')).toBe('PENDING');
    await ssmIn('us-east-1').send(new GetParameterCommand({ Name: peeringTokenParameter('east-mesh', 'west-mesh') })).then(
      () => Promise.reject(new Error('token parameter still there')),
      (error: Error) => expect(error.name).toBe('ParameterNotFound'),
    );
  });

  it('tearing a mesh down deletes its peerings before anything else of it in Consul; the other side is TERMINATED', async () => {
    const eastYaml = meshYaml('east-mesh', 'us-east-1', 'peers:\n  - { name: west2, mesh: west-mesh, region: eu-west-1, role: acceptor }\n');
    const westYaml = meshYaml('west-mesh', 'eu-west-1', 'peers:\n  - { name: east2, mesh: east-mesh, region: us-east-1, role: dialer }\n');
    const [east, west] = [loadMeshSpec(eastYaml), loadMeshSpec(westYaml)];
    const westDeps = await depsOf(west);
    await ensurePeerings(east, await depsOf(east));
    await ensurePeerings(west, westDeps);
    await until('ACTIVE', async () => checkPeeringsActive(west, westDeps).catch(() => undefined));

    const plan: DestroyPlan = {
      mesh: 'west-mesh',
      destroyId: 'x-test',
      purge: false,
      lockName: '/consul-mesh/west-mesh/lock',
      lockHolder: 'test',
      pollSeconds: 0,
      maxRounds: 10,
      stages: { ingress: [], services: [], servers: [{ cluster: 'consul-server', service: 'consul-server', role: 'server' }] },
      clusters: [],
      families: [],
    };
    const token = await orchestratorToken(west);
    const removed = await removeFromConsul(plan, parse(westYaml), {
      consul: async () => createConsulClient({ address: consulUrl(west), token }),
      ecs: { describeTasks: async () => [] },
    });
    // The spec's peer first, then the west-mesh peerings of the tests above that no spec names any more (`east`,
    // TERMINATED since its acceptor dropped it, and `east3`): marked as west-mesh's, they go with the mesh.
    expect(removed.peerings[0]).toBe('east2');
    expect([...removed.peerings].sort()).toEqual(['east', 'east2', 'east3']);
    // DELETE marks the peering DELETING; Consul removes it (and what it imported) right after.
    await until('the dialer\'s peering gone', async () => ((await stateOf(west, 'east2')) === 'HTTP 404' ? true : undefined));
    await until('the acceptor\'s side TERMINATED', async () => ((await stateOf(east, 'west2')) === 'TERMINATED' ? true : undefined));
  });
});
