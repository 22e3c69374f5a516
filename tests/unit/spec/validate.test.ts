import { readFileSync } from 'node:fs';
import { stringify } from 'yaml';
import { loadMeshSpec, validateMeshSpec, MAX_SERVICES, MAX_SPEC_BYTES, submittedSpecBytes, type MeshSpecInput } from '../../../layers/domain/spec';
import { SpecInvalidError } from '../../../layers/errors';

/** A small valid spec; each test breaks one rule of it. */
function baseSpec(): MeshSpecInput & { [k: string]: unknown } {
  return {
    name: 'shop',
    clusters: [
      {
        name: 'cluster-1',
        services: [
          { name: 'users', image: 'users:1.0.0', port: 8080, upstreams: [{ service: 'todos', localBindPort: 1234 }] },
          { name: 'activities', image: 'activities:1.0.0', port: 8081 },
        ],
      },
      { name: 'cluster-2', services: [{ name: 'todos', image: 'todos:1.0.0', port: 8080 }] },
    ],
    ingress: { listeners: [{ port: 80, protocol: 'http', services: ['*'] }] },
  };
}

function issuesOf(spec: unknown): string[] {
  const result = validateMeshSpec({ object: spec });
  return result.ok ? [] : result.issues.map((i) => `${i.path}: ${i.message}`);
}

describe('mesh spec validation', () => {
  it('accepts the reference topology and fills the safe defaults', () => {
    const spec = loadMeshSpec('examples/mesh.yaml');
    expect(spec.consul.servers.count).toBe(3);
    expect(spec.consul.security.tls).toMatchObject({ enabled: true, autoEncrypt: true, verify: true });
    expect(spec.consul.security.gossip.enabled).toBe(true);
    expect(spec.consul.security.acl).toMatchObject({ enabled: true, defaultPolicy: 'deny' });
    expect(spec.clusters.map((c) => c.name)).toEqual(['cluster-1', 'cluster-2']);
    const users = spec.clusters[0].services[0];
    expect(users).toMatchObject({ name: 'users', port: 8080, protocol: 'http', upstreams: [{ service: 'todos', localBindPort: 1234 }] });
    expect(spec.ingress?.listeners[0]).toEqual({ port: 80, protocol: 'http', services: ['*'] });
  });

  it('defaults to three servers, TLS, gossip encryption and ACLs when the spec says nothing', () => {
    const result = validateMeshSpec({ object: baseSpec() });
    expect(result.ok).toBe(true);
    if (!result.ok) return;
    expect(result.spec.consul.servers.count).toBe(3);
    expect(result.spec.consul.security.tls.enabled).toBe(true);
    expect(result.spec.consul.security.gossip.enabled).toBe(true);
    expect(result.spec.consul.security.acl.enabled).toBe(true);
    expect(result.spec.rollout).toEqual({ minimumHealthyPercent: 100, maximumPercent: 200, circuitBreaker: { enable: true, rollback: true }, bakeSeconds: 30 });
  });

  it('loads the same spec from YAML text and from a path', () => {
    const text = readFileSync('examples/mesh.yaml', 'utf8');
    expect(loadMeshSpec(text)).toEqual(loadMeshSpec('examples/mesh.yaml'));
  });

  it('names an unknown key by its full path', () => {
    const spec = baseSpec();
    (spec.clusters[0].services[1] as Record<string, unknown>).replicas = 3;
    spec.colour = 'blue';
    expect(issuesOf(spec)).toEqual(['clusters[0].services[1].replicas: unknown key', 'colour: unknown key']);
  });

  it('runs on ARM64 unless the spec names X86_64, and names any other architecture by its path', () => {
    const defaults = validateMeshSpec({ object: baseSpec() });
    expect(defaults.ok && defaults.spec.network.cpuArchitecture).toBe('ARM64');
    const x86 = validateMeshSpec({ object: { ...baseSpec(), network: { cpuArchitecture: 'X86_64' } } });
    expect(x86.ok && x86.spec.network.cpuArchitecture).toBe('X86_64');
    expect(issuesOf({ ...baseSpec(), network: { cpuArchitecture: 'amd64' } })).toEqual([
      expect.stringMatching(/^network\.cpuArchitecture: .*"ARM64".*"X86_64"/),
    ]);
  });

  it('takes a health-check command in ECS\'s CMD / CMD-SHELL form and names a malformed one by its path', () => {
    const spec = baseSpec();
    spec.clusters[0].services[1].healthCheck = { command: ['CMD', '/bin/probe', '--fast'] };
    spec.clusters[1].services[0].healthCheck = { command: ['CMD-SHELL', 'grpc_health_probe -addr=:8080'] };
    const ok = validateMeshSpec({ object: spec });
    expect(ok.ok && ok.spec.clusters[0].services[1].healthCheck.command).toEqual(['CMD', '/bin/probe', '--fast']);
    expect(ok.ok && ok.spec.clusters[0].services[0].healthCheck.command).toBeUndefined();

    const message = 'must be ["CMD", "<executable>", "<arg>"...] or ["CMD-SHELL", "<shell command>"]';
    const path = 'clusters[0].services[1].healthCheck.command';
    const cases: Array<[unknown, string]> = [
      [['curl', '-f', 'http://x'], `${path}: ${message}`],
      [['CMD-SHELL', 'a', 'b'], `${path}: ${message}`],
      [['CMD'], `${path}: ${message}`],
      ['wget -q http://x', `${path}: ${message}`],
      [['CMD', ''], `${path}[1]: must name the executable`],
      [['CMD-SHELL', ''], `${path}[1]: must be a shell command`],
    ];
    for (const [command, issue] of cases) {
      const bad = baseSpec();
      bad.clusters[0].services[1].healthCheck = { command } as never;
      expect({ command, issues: issuesOf(bad) }).toEqual({ command, issues: [issue] });
    }
  });

  it('rejects a duplicate service name across clusters', () => {
    const spec = baseSpec();
    spec.clusters[1].services[0].name = 'users';
    spec.clusters[0].services[0].upstreams = [];
    expect(issuesOf(spec)).toEqual(['clusters[1].services[0].name: duplicate service name "users" (first defined at clusters[0].services[0].name)']);
  });

  it('rejects an upstream that names no service', () => {
    const spec = baseSpec();
    spec.clusters[0].services[0].upstreams = [{ service: 'billing', localBindPort: 1234 }];
    expect(issuesOf(spec)).toEqual(['clusters[0].services[0].upstreams[0].service: names no service of this mesh: "billing"']);
  });

  it('rejects two upstreams of one service on the same local port', () => {
    const spec = baseSpec();
    spec.clusters[0].services[0].upstreams = [
      { service: 'todos', localBindPort: 1234 },
      { service: 'activities', localBindPort: 1234 },
    ];
    expect(issuesOf(spec)).toEqual(['clusters[0].services[0].upstreams[1].localBindPort: local port 1234 is already bound by upstreams[0]']);
  });

  it('rejects port clashes within a cluster in host network mode, and allows them in awsvpc mode', () => {
    const spec = baseSpec();
    spec.clusters[0].services[1].port = 8080;
    expect(issuesOf(spec)).toEqual([]);
    spec.network = { mode: 'host', launchType: 'EC2' };
    expect(issuesOf(spec)).toEqual(['clusters[0].services[1].port: port 8080 clashes with clusters[0].services[0].port in host network mode']);
  });

  it('rejects a service port reserved by Consul or the sidecar', () => {
    const spec = baseSpec();
    spec.clusters[0].services[1].port = 8500;
    expect(issuesOf(spec)).toEqual(['clusters[0].services[1].port: port 8500 is reserved by Consul or its sidecar proxy']);
  });

  it.each([
    [19000, "Envoy's admin API"],
    [22000, "Envoy's readiness endpoint (the dataplane health check)"],
    [8503, "Consul's gRPC over TLS"],
  ])('reserves port %i (%s) for services, upstream listeners and ingress listeners', (port) => {
    const spec = baseSpec();
    spec.clusters[0].services[1].port = port;
    spec.clusters[0].services[0].upstreams = [{ service: 'todos', localBindPort: port }];
    spec.ingress = { listeners: [{ port, protocol: 'http', services: ['*'] }] };
    expect(issuesOf(spec)).toEqual([
      `clusters[0].services[0].upstreams[0].localBindPort: port ${port} is reserved by Consul or its sidecar proxy`,
      `clusters[0].services[1].port: port ${port} is reserved by Consul or its sidecar proxy`,
      `ingress.listeners[0].port: port ${port} is reserved by Consul or its sidecar proxy`,
    ]);
  });

  it('rejects host network mode on Fargate, naming network.mode, and accepts it on EC2', () => {
    const spec = baseSpec();
    spec.network = { mode: 'host' };
    expect(issuesOf(spec)).toEqual(['network.mode: Fargate runs tasks in awsvpc network mode only']);
    spec.network = { mode: 'host', launchType: 'EC2' };
    expect(issuesOf(spec)).toEqual([]);
  });

  it('rejects cpu/memory pairs Fargate does not offer, for services and servers, and accepts them on EC2', () => {
    const spec = baseSpec();
    spec.clusters[0].services[1].cpu = 256;
    spec.clusters[0].services[1].memory = 4096;
    spec.consul = { servers: { cpu: 1024, memory: 1024 } };
    expect(issuesOf(spec)).toEqual([
      'clusters[0].services[1].cpu: cpu 256 with memory 4096 is not a Fargate task size',
      'consul.servers.cpu: cpu 1024 with memory 1024 is not a Fargate task size',
    ]);
    spec.network = { launchType: 'EC2' };
    expect(issuesOf(spec)).toEqual([]);
  });

  it.each([[0], [2], [4], [6], [7]])('rejects a server count of %i', (count) => {
    const spec = baseSpec();
    spec.consul = { servers: { count } };
    expect(issuesOf(spec)).toEqual(['consul.servers.count: must be 1, 3 or 5 (an odd number keeps a Raft quorum)']);
  });

  it.each([[1], [3], [5]])('accepts a server count of %i', (count) => {
    const spec = baseSpec();
    spec.consul = { servers: { count } };
    expect(issuesOf(spec)).toEqual([]);
  });

  it.each([
    ['Users', 'clusters[0].services[1].name'],
    ['users_v2', 'clusters[0].services[1].name'],
    ['9users', 'clusters[0].services[1].name'],
    ['users-', 'clusters[0].services[1].name'],
    ['a'.repeat(64), 'clusters[0].services[1].name'],
  ])('rejects the service name %s (not a valid Consul/DNS name)', (name, path) => {
    const spec = baseSpec();
    spec.clusters[0].services[1].name = name;
    expect(issuesOf(spec)).toEqual([`${path}: must be lowercase letters, digits and hyphens, starting with a letter, not ending with a hyphen, at most 63 characters`]);
  });

  it('rejects a cluster name ECS does not accept', () => {
    const spec = baseSpec();
    spec.clusters[1].name = 'cluster 2';
    expect(issuesOf(spec)).toEqual(['clusters[1].name: must be letters, digits, hyphens and underscores, 1 to 255 characters']);
  });

  it('rejects an image with the latest tag or without a tag', () => {
    const spec = baseSpec();
    spec.clusters[0].services[1].image = 'activities:latest';
    spec.clusters[1].services[0].image = 'todos';
    expect(issuesOf(spec)).toEqual([
      'clusters[0].services[1].image: must not use the ":latest" tag: pin a version',
      'clusters[1].services[0].image: must be an image reference with an explicit tag or digest, e.g. users:1.4.2 (":latest" is not allowed)',
    ]);
  });

  it('requires exactly one of image or build', () => {
    const spec = baseSpec();
    delete spec.clusters[0].services[1].image;
    expect(issuesOf(spec)).toEqual(['clusters[0].services[1]: needs exactly one of "image" or "build"']);
  });

  it('names the wrong type and the expected one', () => {
    const spec = baseSpec();
    (spec.clusters[0].services[1] as Record<string, unknown>).port = '8081';
    expect(issuesOf(spec)).toEqual(['clusters[0].services[1].port: expected number']);
  });

  it('refuses an inline secret: secrets are SSM parameter names', () => {
    const spec = baseSpec();
    spec.consul = { security: { gossip: { keyParameter: 'pUY2jSnM8IxO1w3uOhJmQvl2sYkXHqBqvW3Yx8Vh0QY=' } } };
    expect(issuesOf(spec)).toEqual([
      'consul.security.gossip.keyParameter: must be a fully qualified SSM parameter name such as /mesh/gossip-key (letters, digits, _ . - /)',
    ]);
  });

  it('takes Raft snapshots unless consul.snapshots.enabled is false, and names a wrong value by its path', () => {
    expect(validateMeshSpec({ object: baseSpec() })).toMatchObject({ ok: true, spec: { consul: { snapshots: { enabled: true } } } });
    const off = baseSpec();
    off.consul = { snapshots: { enabled: false } };
    expect(validateMeshSpec({ object: off })).toMatchObject({ ok: true, spec: { consul: { snapshots: { enabled: false } } } });
    const wrong = baseSpec();
    wrong.consul = { snapshots: { enabled: 'no' as unknown as boolean } };
    expect(issuesOf(wrong)).toEqual(['consul.snapshots.enabled: expected boolean']);
    const unknown = baseSpec();
    unknown.consul = { snapshots: { every: '1h' } as unknown as { enabled: boolean } };
    expect(issuesOf(unknown)).toEqual([expect.stringMatching(/^consul\.snapshots(\.every)?: /)]);
  });

  it('refuses to turn TLS verification off', () => {
    const spec = baseSpec();
    spec.consul = { security: { tls: { verify: false as unknown as true } } };
    expect(issuesOf(spec)).toEqual(['consul.security.tls.verify: TLS verification cannot be turned off']);
  });

  it('rejects an ingress listener naming an unknown service and a "*" on a tcp listener', () => {
    const spec = baseSpec();
    spec.ingress = { listeners: [{ port: 80, protocol: 'http', services: ['billing'] }, { port: 81, protocol: 'tcp', services: ['*'] }] };
    // Both in one pass: the schema's refusal of listeners[1] does not hide the unknown service of listeners[0].
    expect(issuesOf(spec)).toEqual([
      'ingress.listeners[0].services[0]: names no service of this mesh: "billing"',
      'ingress.listeners[1].services: a "*" listener needs an L7 protocol (http, http2 or grpc): Consul allows wildcards only there',
    ]);
    spec.ingress = { listeners: [{ port: 80, protocol: 'http', services: ['billing'] }] };
    expect(issuesOf(spec)).toEqual(['ingress.listeners[0].services[0]: names no service of this mesh: "billing"']);
  });

  it('rejects an intention naming an unknown service', () => {
    const spec = baseSpec();
    spec.intentions = [{ source: 'users', destination: 'billing', action: 'allow' }];
    expect(issuesOf(spec)).toEqual(['intentions[0].destination: names no service of this mesh: "billing"']);
  });

  it('rejects a spec over the size a deployment carries, naming what it measured: the JSON as submitted', () => {
    // A dataplane image of its own: otherwise meshctl deploy adds the default dataplane build context, counted too.
    const spec = { ...baseSpec(), consul: { dataplane: { image: 'hashicorp/consul-dataplane:1.6.0' } } };
    spec.clusters[0].services[1].env = { BIG: 'x'.repeat(MAX_SPEC_BYTES) };
    const size = Buffer.byteLength(JSON.stringify(spec), 'utf8');
    expect(issuesOf(spec)).toEqual([
      `(root): the spec is ${size} bytes as submitted (JSON, build contexts with their content hash); a deployment carries at most ${MAX_SPEC_BYTES} bytes of spec (Step Functions' 256 KB per task input, less room for the plan and statuses next to it)`,
    ]);
    const result = validateMeshSpec({ text: stringify(spec) });
    expect(result.ok ? [] : result.issues.map((i) => i.message)).toEqual([expect.stringContaining(`the spec is ${size} bytes as submitted`)]);
  });

  it('measures the spec before defaults are filled in, so a spec right at the limit is accepted', () => {
    const spec = { ...baseSpec(), consul: { dataplane: { image: 'hashicorp/consul-dataplane:1.6.0' } } };
    const room = MAX_SPEC_BYTES - Buffer.byteLength(JSON.stringify({ ...spec, clusters: [{ ...spec.clusters[0], services: [{ ...spec.clusters[0].services[0], env: { PAD: '' } }, ...spec.clusters[0].services.slice(1)] }, ...spec.clusters.slice(1)] }), 'utf8');
    spec.clusters[0].services[0].env = { PAD: 'x'.repeat(room) };
    expect(Buffer.byteLength(JSON.stringify(spec), 'utf8')).toBe(MAX_SPEC_BYTES);
    expect(issuesOf(spec)).toEqual([]);
    spec.clusters[0].services[0].env = { PAD: 'x'.repeat(room + 1) };
    expect(issuesOf(spec)).toEqual([expect.stringContaining(`the spec is ${MAX_SPEC_BYTES + 1} bytes as submitted`)]);
  });

  it('counts the content hash meshctl deploy adds to each build context, so validate and deploy agree', () => {
    const spec = baseSpec() as MeshSpecInput & { consul: { dataplane?: unknown } };
    const withBuild = { ...spec, clusters: [{ name: 'c', services: [{ name: 'a', build: { context: 'docker/services/users' }, port: 8080 }] }] };
    const hashed = { ...withBuild, clusters: [{ name: 'c', services: [{ name: 'a', build: { context: 'docker/services/users', contentHash: 'f'.repeat(64) }, port: 8080 }] }] };
    expect(submittedSpecBytes(withBuild)).toBe(submittedSpecBytes(hashed));
    expect(submittedSpecBytes(withBuild)).toBeGreaterThan(Buffer.byteLength(JSON.stringify(withBuild), 'utf8'));
  });

  it(`refuses more than ${MAX_SERVICES} services, naming the limit`, () => {
    const spec = baseSpec();
    spec.clusters = [{ name: 'wide', services: Array.from({ length: MAX_SERVICES + 1 }, (_, i) => ({ name: `s${i}`, image: 'app:1.0.0', port: 8080 })) }];
    spec.intentions = [];
    spec.ingress = undefined;
    expect(issuesOf(spec)).toEqual([`clusters: ${MAX_SERVICES + 1} services; a deployment carries at most ${MAX_SERVICES} services (its state holds a status per service)`]);
    spec.clusters[0].services.pop();
    expect(issuesOf(spec)).toEqual([]);
  });

  it('reports YAML syntax errors with their line and column, and no dangling position in the message', () => {
    const result = validateMeshSpec({ text: 'name: x\nclusters:\n  - name: a\n   services: []\n' });
    expect(result).toEqual({ ok: false, issues: [{ path: '(yaml line 4, column 1)', message: 'Sequence item without - indicator: fix the YAML syntax there' }] });
  });

  it('reports schema and cross-field problems in one pass, sorted by path with indexes in numeric order', () => {
    const spec = baseSpec();
    // A schema error (a bad name) next to cross-field ones (unknown upstream, reserved port, duplicate).
    spec.clusters[0].services[0].name = 'Bad_Name';
    spec.clusters[0].services[0].port = 8500;
    spec.clusters[1].services.push({ name: 'activities', image: 'activities:1.0.0', port: 8082 });
    spec.intentions = [{ source: 'activities', destination: 'ghost', action: 'allow' }];
    for (let i = 2; i <= 10; i++) spec.clusters.push({ name: `c${i}`, services: [{ name: `s${i}`, image: 's:1.0.0', port: 8080 }] });
    spec.clusters[10].services[0].port = 'http' as unknown as number;
    spec.clusters[2].services[0].upstreams = [{ service: 'nobody', localBindPort: 1234 }];

    expect(issuesOf(spec)).toEqual([
      'clusters[0].services[0].name: must be lowercase letters, digits and hyphens, starting with a letter, not ending with a hyphen, at most 63 characters',
      'clusters[0].services[0].port: port 8500 is reserved by Consul or its sidecar proxy',
      'clusters[1].services[1].name: duplicate service name "activities" (first defined at clusters[0].services[1].name)',
      'clusters[2].services[0].upstreams[0].service: names no service of this mesh: "nobody"',
      'clusters[10].services[0].port: expected number',
      'intentions[0].destination: names no service of this mesh: "ghost"',
    ]);
  });

  it('keeps a refused name for the cross-field rules, so upstreams naming it are not reported again', () => {
    const spec = baseSpec();
    spec.clusters[1].services[0].name = 'Todos';
    spec.clusters[0].services[0].upstreams = [{ service: 'Todos', localBindPort: 1234 }];
    // The upstream's own name breaks the naming rule too (the schema says so), but it does name a service.
    expect(issuesOf(spec)).toEqual([
      'clusters[0].services[0].upstreams[0].service: must be lowercase letters, digits and hyphens, starting with a letter, not ending with a hyphen, at most 63 characters',
      'clusters[1].services[0].name: must be lowercase letters, digits and hyphens, starting with a letter, not ending with a hyphen, at most 63 characters',
    ]);
  });

  it('reports an unreadable file instead of throwing', () => {
    const result = validateMeshSpec({ path: 'examples/does-not-exist.yaml' });
    expect(result).toEqual({ ok: false, issues: [{ path: '(file)', message: 'cannot read examples/does-not-exist.yaml: ENOENT' }] });
  });

  it('throws a named SpecInvalid error from loadMeshSpec, carrying every issue', () => {
    const spec = baseSpec();
    spec.consul = { servers: { count: 2 } };
    spec.clusters[0].services[1].port = 0;
    let thrown: unknown;
    try {
      loadMeshSpec(JSON.stringify(spec));
    } catch (error) {
      thrown = error;
    }
    expect(thrown).toBeInstanceOf(SpecInvalidError);
    expect((thrown as SpecInvalidError).name).toBe('SpecInvalid');
    expect((thrown as SpecInvalidError).issues.map((i) => i.path)).toEqual(['clusters[0].services[1].port', 'consul.servers.count']);
  });
});
