import { createHash } from 'node:crypto';
import type { MeshSpec } from '../spec/schema';
import { secretParameterNames } from '../naming';
import { kvPrefix } from '../registration/keys';
import { dataplaneTokenParameterName } from './parameter-names';

/**
 * The mesh's Consul ACL policies and tokens, least privilege (https://developer.hashicorp.com/consul/docs/secure/acl):
 *
 * | token | holder | grants |
 * |---|---|---|
 * | one per service | that service's dataplane | a service identity: write on the service and its sidecar, read on every service and node (discovery) |
 * | ingress gateway | the gateway's dataplane | Consul's documented gateway rules: write on the gateway, read on every service and node |
 * | mesh gateway | the mesh gateway's dataplane | Consul's documented mesh gateway rules: write on the gateway, read on every service and node, `mesh = "write"` (leaf certificates), `peering = "read"` (peering through mesh gateways) |
 * | orchestrator | every function but the ACL step | write on the mesh's synthetic nodes, services, sidecars and KV prefix; intentions write on its services; `mesh = "write"` for the ingress-gateway entry |
 * | servers' agent | the Consul servers (`acl.tokens.agent`) and their container health check | write on their own node registration, read on services, `operator = "read"` (autopilot's server health) |
 *
 * Each token's SecretID is the SSM SecureString of its parameter, created once (ensureSecrets); its AccessorID is
 * derived from the mesh and the token's role, so the ACL step can find it again without storing anything else.
 * The management (bootstrap) token is not here: only the servers (`initial_management`) and the ACL step hold it.
 */

export interface AclPolicyDefinition {
  readonly Name: string;
  readonly Description: string;
  readonly Rules: string;
}

export interface AclTokenDefinition {
  /** What the token is for: `orchestrator`, `server-agent`, `dataplane/<service>`, `ingress/<gateway>`. */
  readonly role: string;
  /** The SSM SecureString holding its SecretID. */
  readonly parameter: string;
  readonly AccessorID: string;
  readonly Description: string;
  /** Policies by name (Consul resolves them to IDs). */
  readonly Policies: ReadonlyArray<{ Name: string }>;
  readonly ServiceIdentities: ReadonlyArray<{ ServiceName: string }>;
}

export interface AclPlan {
  readonly policies: AclPolicyDefinition[];
  readonly tokens: AclTokenDefinition[];
}

/** Policy names are per mesh, so two meshes sharing Consul servers would not overwrite each other's. */
export function aclPolicyName(spec: Pick<MeshSpec, 'name'>, role: 'orchestrator' | 'server-agent' | 'ingress' | 'mesh-gateway'): string {
  return `${spec.name}-${role}`;
}

/**
 * A stable UUID for a token of the mesh (`<mesh>/<role>`), shaped like a version-5 UUID (SHA-1 of the name).
 * Public by design: an AccessorID only names a token, the SecretID authenticates.
 */
export function tokenAccessorId(spec: Pick<MeshSpec, 'name'>, role: string): string {
  const hex = createHash('sha1').update(`consul-mesh/${spec.name}/${role}`).digest('hex').slice(0, 32).split('');
  hex[12] = '5';
  hex[16] = ((parseInt(hex[16], 16) & 0x3) | 0x8).toString(16);
  const s = hex.join('');
  return `${s.slice(0, 8)}-${s.slice(8, 12)}-${s.slice(12, 16)}-${s.slice(16, 20)}-${s.slice(20, 32)}`;
}

/**
 * The AccessorID of the token whose SecretID is `version` of its SSM parameter. Consul never changes a token's
 * SecretID (an update keeps it), so a rotation creates a new token: each version of the parameter has its own
 * token, found again from the version alone. Version 1 (and an unknown version) keeps the unversioned ID every
 * mesh had before rotation existed.
 * @example tokenAccessorIdForVersion(spec, 'dataplane/users', 2) // a different, stable UUID than version 1's
 */
export function tokenAccessorIdForVersion(spec: Pick<MeshSpec, 'name'>, role: string, version: number | undefined): string {
  return version === undefined || version <= 1 ? tokenAccessorId(spec, role) : tokenAccessorId(spec, `${role}@v${version}`);
}

/** One rule block in the layout Consul prints (and the emulator's HCL 2 parser reads). */
function block(resource: string, label: string, attributes: Record<string, string>): string {
  const body = Object.entries(attributes).map(([key, value]) => `  ${key} = "${value}"`);
  return [`${resource} ${JSON.stringify(label)} {`, ...body, '}'].join('\n');
}

/** Names the orchestrator writes: synthetic nodes (one per cluster running mesh tasks), services and gateways. */
export interface OrchestratorScope {
  nodes: Set<string>;
  services: Set<string>;
  gateways: Set<string>;
  /** The deployment deletes cluster peerings (removing only): `peering = "write"` whatever the specs say. */
  peerings?: boolean;
}

/** Names the orchestrator writes for a spec: the synthetic nodes (one per cluster running mesh tasks) and services. */
function orchestratorScope(spec: MeshSpec): OrchestratorScope {
  const nodes = new Set<string>();
  const services = new Set<string>();
  const gateways = new Set<string>();
  for (const cluster of spec.clusters) {
    nodes.add(cluster.name);
    for (const service of cluster.services) services.add(service.name);
  }
  if (spec.ingress) {
    nodes.add(spec.ingress.cluster);
    gateways.add(spec.ingress.name);
  }
  if (spec.meshGateway) {
    nodes.add(spec.meshGateway.cluster);
    gateways.add(spec.meshGateway.name);
  }
  return { nodes, services, gateways };
}

/**
 * The orchestrator's rules: what the task-event handler, the reconcile and the deploy/rollout steps do, nothing else.
 *
 * - `node "<cluster>"` write: registrations live on one synthetic node per ECS cluster (DESIGN.md section 6).
 * - `service "<name>"` write on each service and its `-sidecar-proxy`, and on the gateway: register/deregister
 *   instances, `service-defaults` (service:write), reading their health. `intentions = "write"` on each service:
 *   `service-intentions` entries need intentions:write on their destination.
 * - `key_prefix "consul-mesh/<mesh>/"` write: the deployed spec and the tombstones.
 * - `mesh = "write"`: the `ingress-gateway`, `mesh` and `exported-services` config entries (documented as operator:write, which Consul 1.11+ checks as
 *   mesh:write; mesh alone does not grant operator actions such as Raft peer changes).
 * - `peering = "write"` when `spec` or `previous` has peers: the peering token, establish, delete (Consul's
 *   `/v1/peering` endpoints check peering:read/write; operator:write would grant far more).
 *
 * `previous` is the spec deployed before (if any): its services and clusters stay in the policy until the next
 * deployment, so the churn handlers can still deregister the tasks of a service the new spec removed. `removing` is
 * what the deployment's change set removes: it stays in the policy too, whatever `previous` says. A deployment stopped
 * after it stored its spec but before its removal stage leaves `previous` without the services it was removing, while
 * their tasks still run; the next deployment removes them, and needs the rights to (and so do the churn handlers).
 */
export function renderOrchestratorRules(spec: MeshSpec, previous?: MeshSpec, removing?: Partial<OrchestratorScope>): string {
  const scope = orchestratorScope(spec);
  for (const extra of [previous ? orchestratorScope(previous) : undefined, removing]) {
    for (const key of ['nodes', 'services', 'gateways'] as const) for (const name of extra?.[key] ?? []) scope[key].add(name);
  }
  const sorted = (set: Set<string>) => [...set].sort();
  const rules = [
    ...sorted(scope.nodes).map((node) => block('node', node, { policy: 'write' })),
    ...sorted(scope.services).flatMap((service) => [
      block('service', service, { policy: 'write', intentions: 'write' }),
      block('service', `${service}-sidecar-proxy`, { policy: 'write' }),
    ]),
    ...sorted(scope.gateways).map((gateway) => block('service', gateway, { policy: 'write' })),
    block('key_prefix', `${kvPrefix(spec)}/`, { policy: 'write' }),
    'mesh = "write"',
    // Cluster peering (layers/deploy/peering.ts): generating a token, establishing and deleting a peering need
    // peering:write; only a mesh that has (or had, to delete them) peers gets it.
    // A deployment that stored its spec and stopped before its peering stage leaves `previous` without the peers it
    // was removing: the peerings Consul lists with the mesh's mark (`removing.peerings`) keep the rule until deleted.
    ...(spec.peers.length > 0 || (previous?.peers.length ?? 0) > 0 || removing?.peerings ? ['peering = "write"'] : []),
  ];
  return `${rules.join('\n')}\n`;
}

/**
 * The ingress gateway's rules, as Consul documents them for a gateway token: service:write on the gateway to
 * register, service:read and node:read on everything to discover and route.
 */
export function renderIngressGatewayRules(gatewayName: string): string {
  return `${[block('service', gatewayName, { policy: 'write' }), block('service_prefix', '', { policy: 'read' }), block('node_prefix', '', { policy: 'read' })].join('\n')}\n`;
}

/**
 * The mesh gateway's rules, as Consul documents them for a mesh gateway token ("Create a mesh gateway token"):
 * `mesh = "write"` to obtain the leaf certificates it terminates TLS with, `peering = "read"` for cluster peering
 * through mesh gateways, service:write on the gateway to register, service:read and node:read on everything to
 * discover and route. `agent:read` is left out: it only serves `consul connect envoy`, and consul-dataplane does not
 * ask an agent for anything.
 */
export function renderMeshGatewayRules(gatewayName: string): string {
  return `${[block('service', gatewayName, { policy: 'write' }), block('service_prefix', '', { policy: 'read' }), block('node_prefix', '', { policy: 'read' }), 'mesh = "write"', 'peering = "read"'].join('\n')}\n`;
}

/**
 * The servers' agent token (`acl.tokens.agent`): an agent updates its own node in the catalog and reads services.
 * Server node names are the task's host name, not known in advance on Fargate, hence `node_prefix ""`.
 * `operator = "read"`: the server container's health check reads autopilot's server health
 * (`/v1/operator/autopilot/health` requires operator:read) with this token, the only one besides the management
 * token a server task holds. Read only: no Raft peer changes, no autopilot configuration.
 */
export function renderServerAgentRules(): string {
  return `${[block('node_prefix', '', { policy: 'write' }), block('service_prefix', '', { policy: 'read' }), 'operator = "read"'].join('\n')}\n`;
}

/**
 * Every policy and token the mesh needs in Consul, for `spec` (with `previous`, the spec deployed before, and
 * `removing`, what the deployment removes: see renderOrchestratorRules).
 */
export function buildAclPlan(spec: MeshSpec, options: { previous?: MeshSpec; removing?: Partial<OrchestratorScope>; root?: string } = {}): AclPlan {
  const names = secretParameterNames(spec, options.root);
  const policies: AclPolicyDefinition[] = [
    { Name: aclPolicyName(spec, 'orchestrator'), Description: `consul-mesh ${spec.name}: the orchestrator's functions`, Rules: renderOrchestratorRules(spec, options.previous, options.removing) },
    { Name: aclPolicyName(spec, 'server-agent'), Description: `consul-mesh ${spec.name}: the Consul servers' agent token`, Rules: renderServerAgentRules() },
  ];
  const token = (role: string, parameter: string, description: string, links: { policy?: string; identity?: string }): AclTokenDefinition => ({
    role,
    parameter,
    AccessorID: tokenAccessorId(spec, role),
    Description: `consul-mesh ${spec.name}: ${description}`,
    Policies: links.policy ? [{ Name: links.policy }] : [],
    ServiceIdentities: links.identity ? [{ ServiceName: links.identity }] : [],
  });
  const tokens: AclTokenDefinition[] = [
    token('orchestrator', names.orchestratorToken, 'orchestrator', { policy: aclPolicyName(spec, 'orchestrator') }),
    token('server-agent', names.agentToken, 'servers\' agent token', { policy: aclPolicyName(spec, 'server-agent') }),
  ];
  for (const cluster of spec.clusters) {
    for (const service of cluster.services) {
      tokens.push(token(`dataplane/${service.name}`, dataplaneTokenParameterName(spec, service.name, options.root), `dataplane of ${service.name}`, { identity: service.name }));
    }
  }
  if (spec.ingress) {
    const gateway = spec.ingress.name;
    const policy = `${aclPolicyName(spec, 'ingress')}-${gateway}`;
    policies.push({ Name: policy, Description: `consul-mesh ${spec.name}: ingress gateway ${gateway}`, Rules: renderIngressGatewayRules(gateway) });
    tokens.push(token(`ingress/${gateway}`, dataplaneTokenParameterName(spec, gateway, options.root), `ingress gateway ${gateway}`, { policy }));
  }
  if (spec.meshGateway) {
    const gateway = spec.meshGateway.name;
    const policy = `${aclPolicyName(spec, 'mesh-gateway')}-${gateway}`;
    policies.push({ Name: policy, Description: `consul-mesh ${spec.name}: mesh gateway ${gateway}`, Rules: renderMeshGatewayRules(gateway) });
    tokens.push(token(`mesh-gateway/${gateway}`, dataplaneTokenParameterName(spec, gateway, options.root), `mesh gateway ${gateway}`, { policy }));
  }
  return { policies, tokens };
}
