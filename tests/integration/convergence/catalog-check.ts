import { healthCheckId, META, tombstoneKey } from '../../../layers/domain/registration';
import { instanceId, sidecarId } from '../../../layers/domain/naming';
import type { MeshSpec } from '../../../layers/domain/spec/schema';
import type { EcsTaskSnapshot, CatalogSnapshot } from '@consul-mesh/local-cloud';

/**
 * Compares one cluster's synthetic node with the tasks ECS runs there and returns every difference, in words
 * (empty when the catalog is exact). Expected, per RUNNING task of a mesh service: its instance
 * `<service>-<taskId>` at the task's private IP and the service's port, Meta naming the task and its current ECS
 * version, and its sidecar `<service>-<taskId>-sidecar-proxy` (connect-proxy, same IP, pointing at the instance);
 * per gateway task: one `ingress-gateway` instance. Each entry has its `:ecs-health` check, passing (the tasks
 * are HEALTHY). Nothing else is on the node (no stale entry), and no running task has a tombstone.
 */
export function findCatalogDrift(spec: MeshSpec, cluster: string, running: readonly EcsTaskSnapshot[], catalog: CatalogSnapshot): string[] {
  const drift: string[] = [];
  const expected = new Map<string, { task: EcsTaskSnapshot; kind: string; port?: number; destination?: string }>();
  for (const task of running) {
    const service = spec.clusters.find((c) => c.name === cluster)?.services.find((s) => s.name === task.serviceName);
    if (service) {
      const id = instanceId(service.name, task.taskId);
      expected.set(id, { task, kind: '', port: service.port });
      expected.set(sidecarId(service.name, task.taskId), { task, kind: 'connect-proxy', destination: id });
    } else if (spec.ingress?.cluster === cluster && task.serviceName === spec.ingress.name) {
      expected.set(instanceId(spec.ingress.name, task.taskId), { task, kind: 'ingress-gateway' });
    } else {
      drift.push(`task ${task.taskArn} of ${task.group} is not a mesh task`);
    }
  }

  const onNode = catalog.services.filter((s) => s.Node === cluster);
  const checks = new Map(catalog.checks.filter((c) => c.Node === cluster).map((c) => [c.CheckID, c]));
  for (const entry of onNode) {
    const want = expected.get(entry.ID);
    if (!want) {
      drift.push(`stale ${entry.ID} (task ${entry.Meta?.[META.taskArn]} is not running)`);
      continue;
    }
    const { task } = want;
    if (entry.Kind !== want.kind) drift.push(`${entry.ID}: kind "${entry.Kind}", expected "${want.kind}"`);
    if (entry.Address !== task.privateIp) drift.push(`${entry.ID}: address ${entry.Address}, task runs at ${task.privateIp}`);
    if (want.port !== undefined && entry.Port !== want.port) drift.push(`${entry.ID}: port ${entry.Port}, expected ${want.port}`);
    if (entry.Meta?.[META.taskArn] !== task.taskArn) drift.push(`${entry.ID}: task-arn ${entry.Meta?.[META.taskArn]}, expected ${task.taskArn}`);
    if (entry.Meta?.[META.taskVersion] !== String(task.version)) drift.push(`${entry.ID}: task-version ${entry.Meta?.[META.taskVersion]}, ECS is at ${task.version}`);
    if (want.destination && entry.Proxy?.DestinationServiceID !== want.destination) {
      drift.push(`${entry.ID}: proxies ${String(entry.Proxy?.DestinationServiceID)}, expected ${want.destination}`);
    }
    const check = checks.get(healthCheckId(entry.ID));
    if (check?.Status !== 'passing') drift.push(`${entry.ID}: check ${check ? check.Status : 'missing'}, the task is HEALTHY`);
  }
  const present = new Set(onNode.map((s) => s.ID));
  for (const [id, { task }] of expected) if (!present.has(id)) drift.push(`missing ${id} (task ${task.taskArn} runs at ${task.privateIp})`);

  const wanted = new Set([...present].map(healthCheckId));
  for (const id of checks.keys()) if (!wanted.has(id)) drift.push(`check ${id} of no instance`);
  const tombstones = new Set(catalog.kv.map((e) => e.Key));
  for (const task of running) if (tombstones.has(tombstoneKey(spec, cluster, task.taskId))) drift.push(`running task ${task.taskArn} has a tombstone`);
  return drift;
}
