import type { MeshSpec } from '../spec/schema';
import { instanceId, sidecarId } from '../naming';
import { SIDECAR_PORT } from '../ecs/containers';
import { TaskNotRegistrableError } from './errors';
import { healthCheckId, META, NODE_META, SYNTHETIC_NODE_ADDRESS } from './keys';
import { findMember, type MeshGatewayMember, type RegistrableMember } from './membership';
import { checkOutput, checkStatus, taskAddress, type CheckStatus } from './task-facts';
import type { EcsTask } from './task-schema';

/** The synthetic node of a cluster, as `/v1/catalog/register` names its fields. */
export interface CatalogNode {
  Node: string;
  Address: string;
  Datacenter: string;
  NodeMeta: Record<string, string>;
}

export interface ProxyUpstream {
  DestinationType: 'service';
  DestinationName: string;
  /** The peer the destination is imported from (cluster peering), for an upstream that names one. */
  DestinationPeer?: string;
  LocalBindAddress: string;
  LocalBindPort: number;
}

export interface ConnectProxyConfig {
  DestinationServiceName: string;
  DestinationServiceID: string;
  LocalServiceAddress: string;
  LocalServicePort: number;
  Upstreams: ProxyUpstream[];
}

/**
 * A service entry as the orchestrator writes it (Consul's AgentService fields): the write shape. What the catalog
 * answers when read back is the Consul adapter's `CatalogServiceEntry` (Consul adds indexes and defaults, and
 * answers `null` for empty lists).
 */
export interface ServiceRegistration {
  ID: string;
  Service: string;
  Kind?: 'connect-proxy' | 'ingress-gateway' | 'mesh-gateway';
  Address: string;
  Port: number;
  /** A mesh gateway's `lan` and `wan` addresses (Consul's `ServiceAddress`): peers dial the `wan` one. */
  TaggedAddresses?: Record<'lan' | 'wan', { Address: string; Port: number }>;
  Tags: string[];
  Meta: Record<string, string>;
  Proxy?: ConnectProxyConfig;
}

/** A check with no definition: Consul runs nothing, the orchestrator sets its status from ECS health. */
export interface CatalogCheck {
  Node: string;
  CheckID: string;
  Name: string;
  Status: CheckStatus;
  Output: string;
  ServiceID: string;
  ServiceName: string;
}

/** Everything one task puts in the catalog: written in one `/v1/txn` (buildTxnOps). */
export interface TaskRegistration {
  node: CatalogNode;
  services: ServiceRegistration[];
  checks: CatalogCheck[];
}

/** @deprecated The write shape is `ServiceRegistration`; this name stays only for the benchmarks that still import it. */
export type CatalogService = ServiceRegistration;

export interface RegistrationOptions {
  /** The orchestrator's deployment (or rollout) id; defaults to the ECS deployment in `startedBy` (`ecs-svc/...`). */
  deploymentId?: string;
  /** The address when the task has no ENI of its own (host/bridge mode): the container instance's private IP. */
  address?: string;
}

/**
 * The catalog entries of a running mesh task (DESIGN.md section 6, agentless as consul-ecs does it):
 * - the synthetic node of its cluster (`Node` = cluster name, NodeMeta `synthetic-node = "true"` and the mesh);
 * - for a mesh service: the instance `<service>-<taskId>` at the task's private IP and the spec's port, and its
 *   sidecar `<service>-<taskId>-sidecar-proxy` (`Kind = connect-proxy`, port 20000, forwarding to the app on
 *   127.0.0.1 and binding the spec's upstreams on 127.0.0.1);
 * - for the ingress gateway: one instance `<gateway>-<taskId>` of `Kind = ingress-gateway` at the first
 *   listener's port (its listeners come from the ingress-gateway config entry);
 * - per instance, the check `<id>:ecs-health` mirroring ECS health (HEALTHY → passing, else critical). The proxy
 *   has its own, so Consul stops routing through a proxy whose task is unhealthy.
 * Every instance's Meta carries the task ARN, the applied ECS version (a string: Consul Meta values are), the
 * deployment, the mesh and the cluster, which is what `decide` reads back.
 *
 * @throws TaskNotRegistrableError for a task that is not a mesh service or gateway task, or has no address.
 */
export function buildRegistration(spec: MeshSpec, task: EcsTask, opts: RegistrationOptions = {}): TaskRegistration {
  const member = findMember(spec, task);
  if (!member || member.role === 'server') {
    throw new TaskNotRegistrableError(`task ${task.taskArn} is not a mesh service or gateway task of "${spec.name}"`);
  }
  const address = opts.address ?? taskAddress(task);
  if (!address) throw new TaskNotRegistrableError(`task ${task.taskArn} has no private IP address (yet)`);
  return registrationFor(spec, task, member, address, opts);
}

/**
 * A mesh gateway task's instance (`Kind = "mesh-gateway"`, `<gateway>-<taskId>`), as consul-ecs registers its
 * gateways: the LAN address is the task's private IP at `wan.port` (the mesh's own sidecars reach it there); the
 * WAN address is what the peers dial and what the acceptor's peering token carries when peering runs through mesh
 * gateways: the same private IP and port in `private` mode (peers on a connected network), the Network Load
 * Balancer's DNS name in `nlb` mode (its listener forwards `wan.port` to the tasks, registered as IP targets by ECS).
 */
function meshGatewayService(member: MeshGatewayMember, address: string, tags: string[], meta: Record<string, string>): ServiceRegistration {
  const { wan } = member.gateway;
  const lan = { Address: address, Port: wan.port };
  const wanAddress = wan.mode === 'nlb' && wan.address ? { Address: wan.address, Port: wan.port } : lan;
  return {
    ID: instanceId(member.gateway.name, member.taskId),
    Service: member.gateway.name,
    Kind: 'mesh-gateway',
    Address: address,
    Port: wan.port,
    Tags: tags,
    Meta: meta,
    TaggedAddresses: { lan, wan: wanAddress },
  };
}

function registrationFor(spec: MeshSpec, task: EcsTask, member: RegistrableMember, address: string, opts: RegistrationOptions): TaskRegistration {
  const node: CatalogNode = {
    Node: member.cluster,
    Address: SYNTHETIC_NODE_ADDRESS,
    Datacenter: spec.datacenter,
    NodeMeta: { [NODE_META.synthetic]: 'true', [NODE_META.mesh]: spec.name },
  };
  const meta: Record<string, string> = {
    [META.mesh]: spec.name,
    [META.cluster]: member.cluster,
    [META.taskArn]: task.taskArn,
    [META.taskVersion]: String(task.version),
  };
  const deploymentId = opts.deploymentId ?? task.startedBy;
  if (deploymentId) meta[META.deploymentId] = deploymentId;
  if (task.taskDefinitionArn) meta[META.taskDefinitionArn] = task.taskDefinitionArn;
  const tags = [member.cluster];

  const services: ServiceRegistration[] = [];
  if (member.role === 'service') {
    const svc = member.service;
    const id = instanceId(svc.name, member.taskId);
    services.push({ ID: id, Service: svc.name, Address: address, Port: svc.port, Tags: tags, Meta: meta });
    services.push({
      ID: sidecarId(svc.name, member.taskId),
      Service: `${svc.name}-sidecar-proxy`,
      Kind: 'connect-proxy',
      Address: address,
      Port: SIDECAR_PORT,
      Tags: tags,
      Meta: meta,
      Proxy: {
        DestinationServiceName: svc.name,
        DestinationServiceID: id,
        LocalServiceAddress: '127.0.0.1',
        LocalServicePort: svc.port,
        Upstreams: svc.upstreams.map((u) => ({
          DestinationType: 'service',
          DestinationName: u.service,
          ...(u.peer ? { DestinationPeer: u.peer } : {}),
          LocalBindAddress: '127.0.0.1',
          LocalBindPort: u.localBindPort,
        })),
      },
    });
  } else if (member.role === 'mesh-gateway') {
    services.push(meshGatewayService(member, address, tags, meta));
  } else {
    const port = Math.min(...member.ingress.listeners.map((l) => l.port));
    services.push({ ID: instanceId(member.ingress.name, member.taskId), Service: member.ingress.name, Kind: 'ingress-gateway', Address: address, Port: port, Tags: tags, Meta: meta });
  }

  const status = checkStatus(task);
  const output = checkOutput(task);
  const checks: CatalogCheck[] = services.map((s) => ({
    Node: node.Node,
    CheckID: healthCheckId(s.ID),
    Name: 'ECS task health',
    Status: status,
    Output: output,
    ServiceID: s.ID,
    ServiceName: s.Service,
  }));
  return { node, services, checks };
}
