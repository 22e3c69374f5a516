import { buildProgram } from '../../../cli/meshctl';
import { usePeeredMeshes, until, type Json, type Side } from './harness';

/**
 * The multi-region example deployed by both regions' state machines: the peering ACTIVE on both sides, what each
 * side imports and exports, the peered upstream as a dataplane resolves it, and the peered intentions.
 */
describe('two meshes peered by their deployments (examples/multi-region)', () => {
  const pair = usePeeredMeshes();

  it('ends the dialer\'s deployment with the peering ACTIVE on both sides, west exporting todos and east importing it', async () => {
    const { east, west } = pair;
    expect((await west.peering())?.State).toBe('ACTIVE');
    expect((await east.peering())?.State).toBe('ACTIVE');
    // What each side imports arrives with the stream, right after ACTIVE.
    const imported = await until('todos imported in us-east-1', async () => {
      const peering = await east.peering();
      return peering?.StreamStatus?.ImportedServices?.includes('todos') ? peering : undefined;
    });
    expect(imported.StreamStatus?.ImportedServices).toEqual(['todos']);
    expect((await west.peering())?.StreamStatus?.ExportedServices).toEqual(['todos']);

    // GET /mesh (meshctl mesh, meshctl status) of each region's API says the same, with the other mesh and its region.
    const [eastMesh, westMesh] = await Promise.all([east.apiCall('GET', '/mesh'), west.apiCall('GET', '/mesh')]);
    expect(eastMesh.body.peers).toEqual([{ name: 'west', mesh: 'west-mesh', region: 'eu-west-1', role: 'acceptor', state: 'ACTIVE', importedServices: ['todos'], exportedServices: [] }]);
    expect(westMesh.body.peers).toEqual([{ name: 'east', mesh: 'east-mesh', region: 'us-east-1', role: 'dialer', state: 'ACTIVE', importedServices: [], exportedServices: ['todos'] }]);
  });

  /** `meshctl <args>` against one side's HTTP API, as an operator runs it (not a terminal). */
  async function meshctl(side: Side, ...args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
    let stdout = '';
    let stderr = '';
    const program = buildProgram({ stdout: { write: (t: string) => (stdout += t), isTTY: false }, stderr: { write: (t: string) => (stderr += t) }, env: {} });
    process.exitCode = 0;
    await program.parseAsync(['node', 'meshctl', ...args, '--api-url', side.api, '--token', pair.cloud.apiToken]);
    const code = Number(process.exitCode ?? 0);
    process.exitCode = 0;
    return { code, stdout, stderr };
  }

  it('meshctl status and meshctl mesh show each side\'s peer: the other mesh and region, role, state, imported and exported services', async () => {
    const row = (out: string) => out.split('\n').find((line) => /^(east|west)\s{2,}/.test(line))?.split(/\s{2,}/);
    for (const command of ['status', 'mesh']) {
      const east = await meshctl(pair.east, command);
      expect({ code: east.code, stderr: east.stderr }).toEqual({ code: 0, stderr: '' });
      expect(east.stdout).toMatch(/^PEER\s+MESH\s+ROLE\s+STATE\s+IMPORTED\s+EXPORTED$/m);
      expect(row(east.stdout)).toEqual(['west', 'west-mesh (eu-west-1)', 'acceptor', 'ACTIVE', 'todos', '-']);
      const west = await meshctl(pair.west, command);
      expect({ code: west.code, stderr: west.stderr }).toEqual({ code: 0, stderr: '' });
      expect(row(west.stdout)).toEqual(['east', 'east-mesh (us-east-1)', 'dialer', 'ACTIVE', '-', 'todos']);
    }
    // The status is of west's deployment, which ended with the peering ACTIVE.
    expect((await meshctl(pair.west, 'status')).stdout).toMatch(/^Deployment d-\d{14}-[0-9a-z]{6} of mesh "west-mesh" .*: SUCCEEDED/m);
    const json = JSON.parse((await meshctl(pair.west, 'status', '--json')).stdout);
    expect(json.peers).toEqual([{ name: 'east', mesh: 'east-mesh', region: 'us-east-1', role: 'dialer', state: 'ACTIVE', importedServices: [], exportedServices: ['todos'] }]);
  });

  it('imports west\'s healthy todos instances, not its unexported notifications', async () => {
    const { east, west } = pair;
    const ids = (entries: Json[]) => entries.map((e) => e.Service.ID).sort();
    const local = ids((await west.consulCall('/v1/health/service/todos?passing')).body);
    expect(local).toHaveLength(2);
    const imported = await until('both todos instances imported', async () => {
      const there = ids((await east.consulCall('/v1/health/service/todos?peer=west&passing')).body);
      return there.length === local.length ? there : undefined;
    });
    expect(imported).toEqual(local);
    expect((await east.consulCall('/v1/health/service/notifications?peer=west')).body).toEqual([]);
  });

  it('resolves east\'s users → todos upstream across the peering to west\'s mesh gateway, with the peered SNI and SPIFFE IDs', async () => {
    const { east, west } = pair;
    // The users proxies in east carry the peered upstream (DestinationPeer), as the deployment registered them.
    const proxies = (await east.consulCall('/v1/catalog/service/users-sidecar-proxy')).body as Json[];
    expect(proxies).toHaveLength(2);
    for (const proxy of proxies) {
      expect(proxy.ServiceProxy.Upstreams).toEqual([expect.objectContaining({ DestinationName: 'todos', DestinationPeer: 'west', LocalBindPort: 1234 })]);
    }

    // What the users dataplanes ask for that upstream: one endpoint per mesh gateway of west, at its WAN address.
    const gateways = (await west.consulCall('/v1/health/service/mesh-gateway?passing')).body as Json[];
    expect(gateways).toHaveLength(1);
    const wan = gateways[0].Service.TaggedAddresses.wan;
    expect(wan).toEqual({ Address: expect.stringMatching(/^10\./), Port: 8443 });
    const endpoints = (await east.consulCall('/v1/health/connect/todos?peer=west')).body as Json[];
    expect(endpoints).toHaveLength(1);
    const [endpoint] = endpoints;
    expect(endpoint.Service).toMatchObject({ Kind: 'connect-proxy', Address: gateways[0].Service.Address, Port: 8443, PeerName: 'west' });
    expect(endpoint.Service.TaggedAddresses.wan).toEqual(wan);
    expect(endpoint.Checks.map((c: Json) => c.Status)).toEqual(['passing']);
    const { SNI, SpiffeID, Protocol } = endpoint.Service.Connect.PeerMeta;
    expect(SNI).toEqual([expect.stringMatching(/^todos\.default\.default\.[a-z0-9-]+\.external\.[0-9a-f-]+\.consul$/)]);
    expect(SpiffeID).toEqual([expect.stringMatching(/^spiffe:\/\/[0-9a-f-]+\.consul\/ns\/default\/dc\/dc2\/svc\/todos$/), expect.stringMatching(/^spiffe:\/\/[0-9a-f-]+\.consul\/gateway\/mesh\/dc\/dc2$/)]);
    expect(Protocol).toBe('http');
  });

  it('allows east\'s users and denies east\'s activities on west\'s todos, as west\'s spec declares', async () => {
    const { west } = pair;
    const intention = async (source: string) => west.consulCall(`/v1/connect/intentions/exact?source=${encodeURIComponent(source)}&destination=todos`);
    expect((await intention('peer:east/users')).body).toMatchObject({ SourceName: 'users', SourcePeer: 'east', DestinationName: 'todos', Action: 'allow' });
    expect((await intention('peer:east/activities')).body).toMatchObject({ SourceName: 'activities', SourcePeer: 'east', DestinationName: 'todos', Action: 'deny' });
    // Not a local users (no such intention: the default, deny, applies to west's own services of that name).
    expect((await intention('users')).status).toBe(404);
    const check = (await west.consulCall('/v1/connect/intentions/check?source=users&destination=todos')).body;
    expect(check).toEqual({ Allowed: false });
  });
});
