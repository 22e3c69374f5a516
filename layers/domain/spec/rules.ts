import type { MeshSpec } from './schema';
import { formatPath, type SpecIssue } from './issues';
// Leaf modules only (constants; a check that imports nothing but spec types): no import cycle back into spec/.
import { CONSUL_PORTS, ENVOY_PORTS } from '../consul/ports';
import { launchTypeIssues } from '../ecs/launch-type';

/**
 * The most bytes of spec a deployment carries: the spec as submitted, as JSON (build contexts with their content
 * hash, as `meshctl deploy` sends it), which is what the execution input holds and what the steps that need it read
 * (`$$.Execution.Input.spec`). Step Functions holds a task's input to 256 KB (DESIGN.md section 7), and a step
 * receives the spec next to the plan, the images and a stage's status; the margin below keeps room for those. It is
 * measured by tests/integration/deploy/largest-spec.test.ts: with the largest spec accepted (this size,
 * MAX_SERVICES services) the largest task input stays under 256 KB.
 */
export const MAX_SPEC_BYTES = 160 * 1024;
export const STEP_FUNCTIONS_PAYLOAD_BYTES = 256 * 1024;

/**
 * The most mesh services (those of `clusters`) one spec deploys. The plan, the images and the stage statuses hold a few hundred bytes per service in the execution's state, and the summary a
 * few tasks per service: this keeps every state of the largest accepted spec well under Step Functions' 256 KB.
 */
export const MAX_SERVICES = 100;

/**
 * Ports a Consul deployment on ECS uses on every host when tasks share the host's network namespace
 * (server RPC 8300, Serf LAN 8301 tcp+udp, Serf WAN 8302, HTTP 8500, HTTPS 8501, gRPC 8502, gRPC over TLS 8503,
 * DNS 8600), plus the sidecar proxy port range 21000-21255 Consul assigns by default.
 */
export const CONSUL_RESERVED_PORTS: ReadonlySet<number> = new Set([8300, 8301, 8302, 8500, 8501, 8502, CONSUL_PORTS.grpcTls, 8600]);

/**
 * Ports Envoy binds inside every dataplane task (the rendered consul-dataplane configuration): the admin API and
 * the readiness endpoint the container health check probes. A service or upstream listener on one of them would
 * stop Envoy from starting, or answer the health check in its place.
 */
export const ENVOY_RESERVED_PORTS: ReadonlySet<number> = new Set([ENVOY_PORTS.admin, ENVOY_PORTS.ready]);
export const SIDECAR_PORT_MIN = 21000;
export const SIDECAR_PORT_MAX = 21255;
/** The port every sidecar proxy listens on for inbound mTLS traffic (DESIGN.md section 6). */
export const SIDECAR_PUBLIC_PORT = 20000;

/**
 * Cross-field rules the schema cannot express per field. Returns every problem, not just the first, so a user can
 * fix a spec in one pass. Runs on a valid spec, and also on what `salvage` keeps of an invalid one (so schema and
 * cross-field problems are reported together): a value may then be `undefined` or out of range, so each rule
 * checks the type of what it compares and says nothing about a value the schema already refused.
 */
export function checkSpecRules(spec: MeshSpec): SpecIssue[] {
  const issues: SpecIssue[] = [];
  const add = (path: PropertyKey[], message: string) => issues.push({ path: formatPath(path), message });

  // Consul service names are global to the datacenter, so a name may appear once in the whole mesh.
  const serviceAt = new Map<string, PropertyKey[]>();
  spec.clusters.forEach((cluster, ci) =>
    cluster.services.forEach((service, si) => {
      if (!isText(service.name)) return;
      const first = serviceAt.get(service.name);
      if (first) add(['clusters', ci, 'services', si, 'name'], `duplicate service name "${service.name}" (first defined at ${formatPath(first)})`);
      else serviceAt.set(service.name, ['clusters', ci, 'services', si, 'name']);
    }),
  );

  const services = spec.clusters.reduce((n, c) => n + c.services.length, 0);
  if (services > MAX_SERVICES) add(['clusters'], `${services} services; a deployment carries at most ${MAX_SERVICES} services (its state holds a status per service)`);

  const clusterAt = new Map<string, number>();
  spec.clusters.forEach((cluster, ci) => {
    if (!isText(cluster.name)) return;
    const first = clusterAt.get(cluster.name);
    if (first !== undefined) add(['clusters', ci, 'name'], `duplicate cluster name "${cluster.name}" (first defined at clusters[${first}].name)`);
    else clusterAt.set(cluster.name, ci);
    if (cluster.name === spec.consul.servers.cluster) add(['clusters', ci, 'name'], `"${cluster.name}" is the Consul server cluster's name`);
    if (spec.ingress && cluster.name === spec.ingress.cluster) add(['clusters', ci, 'name'], `"${cluster.name}" is the ingress cluster's name`);
  });
  if (spec.ingress && isText(spec.ingress.cluster) && spec.ingress.cluster === spec.consul.servers.cluster) {
    add(['ingress', 'cluster'], `"${spec.ingress.cluster}" is the Consul server cluster's name`);
  }
  if (spec.ingress && serviceAt.has(spec.ingress.name)) {
    add(['ingress', 'name'], `"${spec.ingress.name}" is also the name of a service`);
  }

  const peerAt = checkPeering(spec, serviceAt, add);

  spec.clusters.forEach((cluster, ci) =>
    cluster.services.forEach((service, si) => {
      const base = ['clusters', ci, 'services', si];
      const bindPortAt = new Map<number, number>();
      service.upstreams.forEach((upstream, ui) => {
        if (!isText(upstream.service) || !isPort(upstream.localBindPort)) return;
        if (isText(upstream.peer)) {
          // A peered upstream (DestinationPeer) names a service of the other mesh: it is not in this spec, so only
          // the peer can be checked here; whether the peer exports it is the other mesh's spec.
          if (!peerAt.has(upstream.peer)) add([...base, 'upstreams', ui, 'peer'], `names no peer of this mesh (see peers): "${upstream.peer}"`);
        } else {
          if (!serviceAt.has(upstream.service)) add([...base, 'upstreams', ui, 'service'], `names no service of this mesh: "${upstream.service}"`);
          if (upstream.service === service.name) add([...base, 'upstreams', ui, 'service'], 'a service cannot be its own upstream');
        }
        const other = bindPortAt.get(upstream.localBindPort);
        if (other !== undefined) add([...base, 'upstreams', ui, 'localBindPort'], `local port ${upstream.localBindPort} is already bound by upstreams[${other}]`);
        else bindPortAt.set(upstream.localBindPort, ui);
        if (upstream.localBindPort === service.port) add([...base, 'upstreams', ui, 'localBindPort'], `local port ${upstream.localBindPort} is the service's own port`);
        if (isMeshPort(upstream.localBindPort)) add([...base, 'upstreams', ui, 'localBindPort'], `port ${upstream.localBindPort} is reserved by Consul or its sidecar proxy`);
      });
      if (isMeshPort(service.port)) add([...base, 'port'], `port ${service.port} is reserved by Consul or its sidecar proxy`);
    }),
  );

  // In host mode every task of a cluster shares the instance's ports, so two services (or a service and an
  // upstream listener) of one cluster cannot use the same port.
  if (spec.network.mode === 'host') {
    spec.clusters.forEach((cluster, ci) => {
      const used = new Map<number, string>();
      cluster.services.forEach((service, si) => {
        const claim = (port: number, path: PropertyKey[]) => {
          if (!isPort(port)) return;
          const owner = used.get(port);
          if (owner) add(path, `port ${port} clashes with ${owner} in host network mode`);
          else used.set(port, formatPath(path));
        };
        claim(service.port, ['clusters', ci, 'services', si, 'port']);
        service.upstreams.forEach((u, ui) => claim(u.localBindPort, ['clusters', ci, 'services', si, 'upstreams', ui, 'localBindPort']));
      });
    });
  }

  if (spec.ingress) {
    const listenerAt = new Map<number, number>();
    spec.ingress.listeners.forEach((listener, li) => {
      if (!isPort(listener.port)) return;
      const other = listenerAt.get(listener.port);
      if (other !== undefined) add(['ingress', 'listeners', li, 'port'], `port ${listener.port} is already used by listeners[${other}]`);
      else listenerAt.set(listener.port, li);
      if (isMeshPort(listener.port)) add(['ingress', 'listeners', li, 'port'], `port ${listener.port} is reserved by Consul or its sidecar proxy`);
      listener.services.forEach((name, i) => {
        if (!isText(name)) return;
        if (name !== '*' && !serviceAt.has(name)) add(['ingress', 'listeners', li, 'services', i], `names no service of this mesh: "${name}"`);
        if (name === '*' && listener.services.length > 1) add(['ingress', 'listeners', li, 'services', i], '"*" must be the only service of its listener');
      });
    });
  }

  const peeredSourceAt = new Map<string, number>();
  spec.intentions.forEach((intention, ii) => {
    if (isText(intention.peer)) {
      // The source is a service of the peer (the intention source's Peer): not in this spec; `*` is every service
      // the peer exports. Consul refuses a source defined twice for one destination ("Sources[i] defines
      // peer(...) ... more than once").
      if (!peerAt.has(intention.peer)) add(['intentions', ii, 'peer'], `names no peer of this mesh (see peers): "${intention.peer}"`);
      const key = JSON.stringify([intention.destination, intention.peer, intention.source]);
      const first = peeredSourceAt.get(key);
      if (first !== undefined) add(['intentions', ii], `repeats intentions[${first}] (the same source of peer "${intention.peer}" and destination): Consul allows one per destination`);
      else peeredSourceAt.set(key, ii);
      if (isText(intention.destination) && !serviceAt.has(intention.destination)) add(['intentions', ii, 'destination'], `names no service of this mesh: "${intention.destination}"`);
      return;
    }
    const isGateway = spec.ingress !== undefined && intention.source === spec.ingress.name;
    if (isText(intention.source) && intention.source !== '*' && !isGateway && !serviceAt.has(intention.source)) add(['intentions', ii, 'source'], `names no service of this mesh: "${intention.source}"`);
    if (isText(intention.destination) && !serviceAt.has(intention.destination)) add(['intentions', ii, 'destination'], `names no service of this mesh: "${intention.destination}"`);
  });

  if (spec.rollout.maximumPercent <= spec.rollout.minimumHealthyPercent && spec.rollout.minimumHealthyPercent === 100) {
    add(['rollout', 'maximumPercent'], 'must be above 100 when minimumHealthyPercent is 100, or no task could ever be replaced');
  }

  const sec = spec.consul.security;
  if (sec.tls.autoEncrypt === true && sec.tls.enabled === false) add(['consul', 'security', 'tls', 'autoEncrypt'], 'needs tls.enabled');

  // What RegisterTaskDefinition would reject for the launch type (Fargate: awsvpc only, fixed cpu/memory pairs).
  issues.push(...launchTypeIssues(spec));

  return issues;
}

/**
 * The rules of the mesh gateway, `peers` and `exports` (Consul cluster peering through mesh gateways). Returns where
 * each peer name is declared, for the upstreams and intentions that name one.
 */
function checkPeering(spec: MeshSpec, serviceAt: ReadonlyMap<string, PropertyKey[]>, add: (path: PropertyKey[], message: string) => void): Map<string, number> {
  const gateway = spec.meshGateway;
  if (gateway) {
    const clusterNames = new Set(spec.clusters.map((c) => c.name));
    if (isText(gateway.cluster)) {
      if (gateway.cluster === spec.consul.servers.cluster) add(['meshGateway', 'cluster'], `"${gateway.cluster}" is the Consul server cluster's name`);
      else if (spec.ingress && gateway.cluster === spec.ingress.cluster) add(['meshGateway', 'cluster'], `"${gateway.cluster}" is the ingress cluster's name`);
      else if (clusterNames.has(gateway.cluster)) add(['meshGateway', 'cluster'], `"${gateway.cluster}" is also the name of a cluster of clusters`);
    }
    if (isText(gateway.name)) {
      if (serviceAt.has(gateway.name)) add(['meshGateway', 'name'], `"${gateway.name}" is also the name of a service`);
      if (spec.ingress && gateway.name === spec.ingress.name) add(['meshGateway', 'name'], `"${gateway.name}" is the ingress gateway's name`);
    }
    const wanPort = gateway.wan?.port;
    if (isPort(wanPort) && isMeshPort(wanPort)) add(['meshGateway', 'wan', 'port'], `port ${wanPort} is reserved by Consul or its sidecar proxy`);
  }

  const peerAt = new Map<string, number>();
  spec.peers.forEach((peer, pi) => {
    if (isText(peer.name)) {
      const first = peerAt.get(peer.name);
      if (first !== undefined) add(['peers', pi, 'name'], `duplicate peer name "${peer.name}" (first defined at peers[${first}].name)`);
      else peerAt.set(peer.name, pi);
    }
    // Consul refuses it too: "cannot create a peering within the same partition (ENT) or cluster (OSS)".
    if (isText(peer.mesh) && peer.mesh === spec.name && peer.region === spec.region) add(['peers', pi, 'mesh'], `"${peer.mesh}" in ${spec.region} is this mesh: a mesh cannot peer with itself`);
  });
  if (spec.peers.length > 0 && !gateway) {
    // Peering runs through mesh gateways here (mesh entry Peering.PeerThroughMeshGateways), and Consul needs a
    // registered mesh gateway in a cluster that exports services to peers.
    add(['peers'], 'needs meshGateway: peered traffic and the peering itself go through the mesh gateway');
  }

  const exportAt = new Map<string, number>();
  spec.exports.forEach((exported, ei) => {
    if (isText(exported.service)) {
      if (!serviceAt.has(exported.service)) add(['exports', ei, 'service'], `names no service of this mesh: "${exported.service}"`);
      const first = exportAt.get(exported.service);
      if (first !== undefined) add(['exports', ei, 'service'], `"${exported.service}" is already exported by exports[${first}]: list all its peers there`);
      else exportAt.set(exported.service, ei);
    }
    const seen = new Map<string, number>();
    exported.peers.forEach((name, i) => {
      if (!isText(name)) return;
      if (!peerAt.has(name)) add(['exports', ei, 'peers', i], `names no peer of this mesh (see peers): "${name}"`);
      const first = seen.get(name);
      if (first !== undefined) add(['exports', ei, 'peers', i], `"${name}" is already listed at peers[${first}]`);
      else seen.set(name, i);
    });
  });
  return peerAt;
}

/** A name the rules can compare: a string (the schema reports a missing or mistyped one). */
function isText(value: unknown): value is string {
  return typeof value === 'string';
}

/** A port the rules can compare: a number (the schema reports a missing or mistyped one). */
function isPort(value: unknown): value is number {
  return typeof value === 'number';
}

/** Whether a port is taken inside a mesh task by Consul, Envoy or the sidecar proxy, so a spec may not use it. */
export function isMeshPort(port: number): boolean {
  return (
    CONSUL_RESERVED_PORTS.has(port) ||
    ENVOY_RESERVED_PORTS.has(port) ||
    port === SIDECAR_PUBLIC_PORT ||
    (port >= SIDECAR_PORT_MIN && port <= SIDECAR_PORT_MAX)
  );
}
