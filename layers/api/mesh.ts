import type { Service, Task } from '@aws-sdk/client-ecs';
import { taskPrivateIp } from '../adapters/ecs';
import type { HealthEntry } from '../adapters/consul';
import { loadDeployedSpec } from '../churn/deployed-spec';
import { deployStages, resolveTarget } from '../domain/ecs/targets';
import { instanceId, taskIdFromArn, type MeshRole } from '../domain/naming';
import { NotFoundError } from '../errors';
import type { ApiDeps } from './deps';
import { peerViews, type PeerView } from '../deploy/peering';

/** GET /mesh: the deployed mesh as ECS and Consul see it now. */
export interface MeshView {
  mesh: string;
  consul: { leader: string; peers: string[] };
  /** The deployed spec's intentions (applied as service-intentions config entries): who may call whom. */
  intentions?: Array<{ source: string; destination: string; action: 'allow' | 'deny' }>;
  /**
   * The deployed spec's peers (Consul cluster peering) with the peering's state as Consul reports it (`UNDEFINED`
   * when it does not exist: an acceptor not dialled yet, a dialer whose acceptor was not deployed) and the services it
   * imports from the peer and exports to it.
   */
  peers?: PeerView[];
  /** The deployed spec's ingress gateway and its listeners (the ingress-gateway config entry). */
  ingress?: { name: string; cluster: string; listeners: Array<{ port: number; protocol: string; services: string[] }> };
  clusters: Array<{
    name: string;
    services: Array<{
      name: string;
      role: MeshRole;
      status: string;
      desiredCount: number;
      runningCount: number;
      pendingCount: number;
      taskDefinitionArn?: string;
      rolloutState?: string;
      deployments: number;
      /**
       * The port the service listens on, and the upstreams its sidecar binds locally (deployed spec). An upstream
       * with `peer` is that peer's exported service (Consul's `DestinationPeer`), not this mesh's service of the name.
       */
      port?: number;
      upstreams?: Array<{ service: string; localBindPort: number; peer?: string }>;
      /** Consul instances of this service that no running task backs: stale registrations (drift). */
      stale: Array<{ id: string; address: string; passing: boolean }>;
      tasks: Array<{
        taskId: string;
        ip?: string;
        lastStatus?: string;
        health?: string;
        taskDefinitionArn?: string;
        /** The Consul instance of the task (servers are not registered as services: null). */
        consul: { id: string; registered: boolean; passing: boolean; address?: string; checks: Array<{ name: string; status: string }> } | null;
      }>;
    }>;
  }>;
}

/**
 * Clusters, services and tasks of the deployed spec (Consul KV) as ECS describes them, each task with its Consul
 * registration. Read only.
 * @throws NotFoundError when the mesh has not been deployed.
 */
export async function describeMesh(deps: ApiDeps): Promise<MeshView> {
  const consul = await deps.consul();
  const spec = await loadDeployedSpec(consul, deps.meshName, { maxAgeMs: 0 });
  if (!spec) throw new NotFoundError(`mesh "${deps.meshName}" has not been deployed`);
  const targets = deployStages(spec).flat().map((t) => resolveTarget(spec, t));
  const clusters: MeshView['clusters'] = [];
  for (const cluster of [...new Set(targets.map((t) => t.cluster))]) {
    const here = targets.filter((t) => t.cluster === cluster);
    const described = await describeServices(cluster, here.map((t) => t.serviceName), deps);
    const services: MeshView['clusters'][number]['services'] = [];
    for (const target of here) {
      const service = described.get(target.serviceName);
      const tasks = service ? await deps.ecs.serviceTasks(cluster, target.serviceName) : [];
      const health = target.role === 'server' || !service ? [] : await consul.healthService(target.serviceName);
      const declared = spec.clusters.flatMap((c) => c.services).find((s) => s.name === target.serviceName);
      services.push({
        name: target.serviceName,
        role: target.role,
        status: service?.status ?? 'MISSING',
        desiredCount: service?.desiredCount ?? 0,
        runningCount: service?.runningCount ?? 0,
        pendingCount: service?.pendingCount ?? 0,
        ...(service?.taskDefinition ? { taskDefinitionArn: service.taskDefinition } : {}),
        ...(service?.deployments?.[0]?.rolloutState ? { rolloutState: service.deployments[0].rolloutState } : {}),
        deployments: service?.deployments?.length ?? 0,
        ...(target.role === 'service' && declared ? { port: declared.port, upstreams: declared.upstreams.map((u) => ({ service: u.service, localBindPort: u.localBindPort, ...(u.peer ? { peer: u.peer } : {}) })) } : {}),
        stale: staleInstances(tasks, target.serviceName, health),
        tasks: tasks.map((task) => taskView(task, target.serviceName, target.role, health)),
      });
    }
    clusters.push({ name: cluster, services });
  }
  const [leader, peers] = await Promise.all([consul.leader(), consul.peers()]);
  const peerings = await peerViews(spec.peers, (name) => consul.readPeering(name));
  return {
    mesh: spec.name,
    consul: { leader, peers },
    intentions: spec.intentions.map((i) => ({ source: i.source, destination: i.destination, action: i.action })),
    ...(spec.peers.length > 0 ? { peers: peerings } : {}),
    ...(spec.ingress
      ? { ingress: { name: spec.ingress.name, cluster: spec.ingress.cluster, listeners: spec.ingress.listeners.map((l) => ({ port: l.port, protocol: l.protocol, services: [...l.services] })) } }
      : {}),
    clusters,
  };
}

async function describeServices(cluster: string, names: string[], deps: ApiDeps): Promise<Map<string, Service>> {
  const byName = new Map<string, Service>();
  try {
    const services = await deps.ecs.describeServices(cluster, names);
    // A deleted service stays describable as INACTIVE next to a new ACTIVE one of the same name.
    for (const s of services) if (s.serviceName && (!byName.has(s.serviceName) || s.status === 'ACTIVE')) byName.set(s.serviceName, s);
  } catch (error) {
    if ((error as Error).name !== 'ClusterNotFoundException') throw error;
  }
  return byName;
}

function taskView(task: Task, serviceName: string, role: MeshRole, health: HealthEntry[]): MeshView['clusters'][number]['services'][number]['tasks'][number] {
  const taskId = taskIdFromArn(task.taskArn ?? '');
  const id = instanceId(serviceName, taskId);
  const entry = health.find((h) => h.Service.ID === id);
  return {
    taskId,
    ...(taskPrivateIp(task) ? { ip: taskPrivateIp(task) } : {}),
    lastStatus: task.lastStatus,
    health: task.healthStatus,
    taskDefinitionArn: task.taskDefinitionArn,
    consul:
      role === 'server'
        ? null
        : {
            id,
            registered: entry !== undefined,
            passing: entry !== undefined && entry.Checks.every((c) => c.Status === 'passing'),
            ...(entry ? { address: entry.Service.Address } : {}),
            checks: (entry?.Checks ?? []).map((c) => ({ name: c.Name, status: c.Status })),
          },
  };
}

/** Instances (not sidecars) Consul has for the service whose task is not running. */
function staleInstances(tasks: Task[], serviceName: string, health: HealthEntry[]): MeshView['clusters'][number]['services'][number]['stale'] {
  const running = new Set(tasks.map((t) => instanceId(serviceName, taskIdFromArn(t.taskArn ?? ''))));
  return health
    .filter((h) => !running.has(h.Service.ID))
    .map((h) => ({ id: h.Service.ID, address: h.Service.Address, passing: h.Checks.every((c) => c.Status === 'passing') }));
}

