import type { ConsulApi } from '../../../layers/adapters/consul';
import type { ApiDeps } from '../../../layers/api/deps';
import { describeMesh } from '../../../layers/api/mesh';
import { deployedSpecKey } from '../../../layers/domain/registration/keys';
import { validateMeshSpec } from '../../../layers/domain/spec';

/** GET /mesh of a peered mesh: fakes of Consul (KV, health, peering) and ECS, no I/O. */
function peeredSpec() {
  const result = validateMeshSpec({
    object: {
      name: 'east-mesh',
      region: 'us-east-1',
      clusters: [
        {
          name: 'cluster-1',
          services: [
            {
              name: 'users',
              image: 'users:1.0.0',
              port: 8080,
              upstreams: [
                { service: 'todos', localBindPort: 1234 },
                { service: 'todos', peer: 'west', localBindPort: 1235 },
              ],
            },
            { name: 'todos', image: 'todos:1.0.0', port: 8081 },
          ],
        },
      ],
      meshGateway: {},
      peers: [{ name: 'west', mesh: 'west-mesh', region: 'eu-west-1', role: 'acceptor' }],
      exports: [{ service: 'users', peers: ['west'] }],
    },
  });
  if (!result.ok) throw new Error(result.issues.map((i) => `${i.path}: ${i.message}`).join('; '));
  return result.spec;
}

function deps(): ApiDeps {
  const spec = peeredSpec();
  const consul: Partial<ConsulApi> = {
    kvGet: async (key) => (key === deployedSpecKey({ name: 'east-mesh' }) ? { value: JSON.stringify(spec), modifyIndex: 7 } : undefined),
    healthService: async () => [],
    leader: async () => '10.0.0.4:8300',
    peers: async () => ['10.0.0.4:8300'],
    readPeering: async (name) => (name === 'west' ? { Name: 'west', State: 'ACTIVE', StreamStatus: { ImportedServices: ['todos'], ExportedServices: ['users'] } } : undefined),
  };
  return {
    meshName: 'east-mesh',
    consul: async () => consul as ConsulApi,
    ecs: { describeServices: async () => [], serviceTasks: async () => [] },
  } as unknown as ApiDeps;
}

describe('describeMesh (GET /mesh) of a peered mesh', () => {
  it("names the peer of an upstream that reaches a peer's service, and leaves a local upstream without one", async () => {
    const view = await describeMesh(deps());
    const users = view.clusters.flatMap((c) => c.services).find((s) => s.name === 'users');
    expect(users?.upstreams).toEqual([
      { service: 'todos', localBindPort: 1234 },
      { service: 'todos', localBindPort: 1235, peer: 'west' },
    ]);
  });

  it("answers the peers with Consul's state and the services imported and exported", async () => {
    const view = await describeMesh(deps());
    expect(view.peers).toEqual([{ name: 'west', mesh: 'west-mesh', region: 'eu-west-1', role: 'acceptor', state: 'ACTIVE', importedServices: ['todos'], exportedServices: ['users'] }]);
    expect(view.consul.peers).toEqual(['10.0.0.4:8300']);
  });
});
