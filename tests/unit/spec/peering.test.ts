import { validateMeshSpec, type MeshSpecInput } from '../../../layers/domain/spec';

/** A mesh peered with one other mesh through its mesh gateway; each test breaks one rule of it. */
function peeredSpec(): MeshSpecInput & { [k: string]: unknown } {
  return {
    name: 'users-mesh',
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
              { service: 'activities', localBindPort: 1234 },
              { service: 'todos', peer: 'west', localBindPort: 1235 },
            ],
          },
          { name: 'activities', image: 'activities:1.0.0', port: 8081 },
        ],
      },
    ],
    meshGateway: {},
    peers: [{ name: 'west', mesh: 'todos-mesh', region: 'eu-west-1', role: 'acceptor' }],
    exports: [{ service: 'activities', peers: ['west'] }],
    intentions: [{ source: 'todos', peer: 'west', destination: 'activities', action: 'allow' }],
  };
}

function issuesOf(spec: unknown): string[] {
  const result = validateMeshSpec({ object: spec });
  return result.ok ? [] : result.issues.map((i) => `${i.path}: ${i.message}`);
}

describe('mesh spec: mesh gateway, peers and exports', () => {
  it('accepts a peered mesh and fills the mesh gateway defaults', () => {
    const result = validateMeshSpec({ object: peeredSpec() });
    expect(result.ok).toBe(true);
    if (!result.ok) return;
    expect(result.spec.meshGateway).toEqual({ cluster: 'mesh-gateway', name: 'mesh-gateway', desiredCount: 1, wan: { mode: 'private', port: 8443 } });
    expect(result.spec.clusters[0].services[0].upstreams[1]).toEqual({ service: 'todos', peer: 'west', localBindPort: 1235 });
  });

  it('leaves a spec without peering as it was: no mesh gateway, no peers, no exports', () => {
    const spec = peeredSpec();
    delete spec.meshGateway;
    delete spec.peers;
    delete spec.exports;
    delete spec.intentions;
    spec.clusters[0].services[0].upstreams = [{ service: 'activities', localBindPort: 1234 }];
    const result = validateMeshSpec({ object: spec });
    expect(result.ok && { meshGateway: result.spec.meshGateway, peers: result.spec.peers, exports: result.spec.exports }).toEqual({ meshGateway: undefined, peers: [], exports: [] });
  });

  it('requires a mesh gateway when peers are declared', () => {
    const spec = peeredSpec();
    delete spec.meshGateway;
    expect(issuesOf(spec)).toEqual(['peers: needs meshGateway: peered traffic and the peering itself go through the mesh gateway']);
  });

  it('rejects an upstream and an intention naming an undeclared peer, and checks a peered upstream only against its peer', () => {
    const spec = peeredSpec();
    spec.clusters[0].services[0].upstreams![1].peer = 'east';
    (spec.intentions as Array<{ peer?: string }>)[0].peer = 'north';
    expect(issuesOf(spec)).toEqual([
      'clusters[0].services[0].upstreams[1].peer: names no peer of this mesh (see peers): "east"',
      'intentions[0].peer: names no peer of this mesh (see peers): "north"',
    ]);
  });

  it('lets a peered upstream name a service this mesh also has, even the service itself', () => {
    const spec = peeredSpec();
    spec.clusters[0].services[0].upstreams![1] = { service: 'users', peer: 'west', localBindPort: 1235 };
    expect(issuesOf(spec)).toEqual([]);
  });

  it('still checks a peered upstream\'s local port', () => {
    const spec = peeredSpec();
    spec.clusters[0].services[0].upstreams![1].localBindPort = 1234;
    expect(issuesOf(spec)).toEqual(['clusters[0].services[0].upstreams[1].localBindPort: local port 1234 is already bound by upstreams[0]']);
  });

  it('rejects an export of an unknown service, to an unknown peer, twice, or to no peer', () => {
    const spec = peeredSpec();
    spec.exports = [
      { service: 'todos', peers: ['west'] },
      { service: 'activities', peers: ['east', 'west', 'west'] },
      { service: 'activities', peers: [] },
    ];
    expect(issuesOf(spec)).toEqual([
      'exports[0].service: names no service of this mesh: "todos"',
      'exports[1].peers[0]: names no peer of this mesh (see peers): "east"',
      'exports[1].peers[2]: "west" is already listed at peers[1]',
      'exports[2].peers: must name at least one peer',
      'exports[2].service: "activities" is already exported by exports[1]: list all its peers there',
    ]);
  });

  it('rejects a peering with this mesh itself and duplicate peer names', () => {
    const spec = peeredSpec();
    spec.peers = [
      { name: 'west', mesh: 'todos-mesh', region: 'eu-west-1', role: 'acceptor' },
      { name: 'self', mesh: 'users-mesh', region: 'us-east-1', role: 'dialer' },
      { name: 'west', mesh: 'other-mesh', region: 'eu-west-2', role: 'dialer' },
    ];
    expect(issuesOf(spec)).toEqual([
      'peers[1].mesh: "users-mesh" in us-east-1 is this mesh: a mesh cannot peer with itself',
      'peers[2].name: duplicate peer name "west" (first defined at peers[0].name)',
    ]);
  });

  it('refuses a peer name that is not a DNS label (Consul: "is not a valid peer name") and an unknown role', () => {
    const spec = peeredSpec();
    spec.peers = [{ name: 'West_1', mesh: 'todos-mesh', region: 'eu-west-1', role: 'server' as 'acceptor' }];
    spec.exports = [];
    spec.intentions = [];
    spec.clusters[0].services[0].upstreams = [];
    expect(issuesOf(spec)).toEqual([
      'peers[0].name: must be lowercase letters, digits and hyphens, starting with a letter, not ending with a hyphen, at most 63 characters',
      'peers[0].role: expected one of "acceptor", "dialer"',
    ]);
  });

  it('says which keys of a peer are missing, apart from those of a wrong type or value', () => {
    const spec = peeredSpec();
    spec.peers = [{ name: 'west', region: 'eu-west-1' } as never, { name: 'east', mesh: 7, region: 'us-west-2', role: 'dailer' } as never];
    spec.exports = [];
    spec.intentions = [];
    spec.clusters[0].services[0].upstreams = [];
    expect(issuesOf(spec)).toEqual([
      'peers[0].mesh: required: expected string',
      'peers[0].role: required: expected one of "acceptor", "dialer"',
      'peers[1].mesh: expected string',
      'peers[1].role: expected one of "acceptor", "dialer"',
    ]);
  });

  it('rejects a peered intention source defined twice for one destination, as Consul does, and accepts "*" of a peer', () => {
    const spec = peeredSpec();
    spec.intentions = [
      { source: 'todos', peer: 'west', destination: 'activities', action: 'allow' },
      { source: '*', peer: 'west', destination: 'activities', action: 'deny' },
      { source: 'todos', peer: 'west', destination: 'activities', action: 'deny' },
      { source: 'todos', peer: 'west', destination: 'nowhere', action: 'deny' },
    ];
    expect(issuesOf(spec)).toEqual([
      'intentions[2]: repeats intentions[0] (the same source of peer "west" and destination): Consul allows one per destination',
      'intentions[3].destination: names no service of this mesh: "nowhere"',
    ]);
  });

  it('keeps the mesh gateway apart from the other clusters and names, and off the ports Consul reserves', () => {
    const spec = peeredSpec();
    spec.ingress = { listeners: [{ port: 80, services: ['*'] }] };
    spec.meshGateway = { cluster: 'cluster-1', name: 'users', wan: { port: 8502 } };
    expect(issuesOf(spec)).toEqual([
      'meshGateway.cluster: "cluster-1" is also the name of a cluster of clusters',
      'meshGateway.name: "users" is also the name of a service',
      'meshGateway.wan.port: port 8502 is reserved by Consul or its sidecar proxy',
    ]);
    spec.meshGateway = { cluster: 'ingress', name: 'ingress-gateway' };
    expect(issuesOf(spec)).toEqual([
      'meshGateway.cluster: "ingress" is the ingress cluster\'s name',
      'meshGateway.name: "ingress-gateway" is the ingress gateway\'s name',
    ]);
  });

  it('needs the NLB\'s DNS name and target group in nlb mode, and refuses them in private mode', () => {
    const spec = peeredSpec();
    spec.meshGateway = { wan: { mode: 'nlb' } };
    expect(issuesOf(spec)).toEqual([
      'meshGateway.wan.address: is required in nlb mode: the Network Load Balancer\'s DNS name',
      'meshGateway.wan.targetGroupArn: is required in nlb mode: the target group the gateway tasks are registered in',
    ]);
    const nlb = {
      mode: 'nlb' as const,
      address: 'mesh-gw-0123456789abcdef.elb.us-east-1.amazonaws.com',
      targetGroupArn: 'arn:aws:elasticloadbalancing:us-east-1:123456789012:targetgroup/mesh-gw/0123456789abcdef',
    };
    spec.meshGateway = { wan: nlb };
    expect(issuesOf(spec)).toEqual([]);
    spec.meshGateway = { wan: { ...nlb, mode: 'private' } };
    expect(issuesOf(spec)).toEqual([
      'meshGateway.wan.address: is only for nlb mode (in private mode the WAN address is the task\'s private IP)',
      'meshGateway.wan.targetGroupArn: is only for nlb mode',
    ]);
  });
});
