/**
 * The meshes the churn benchmark deploys, built as spec objects and validated by the project's own schema and
 * rules, so the handler and the reconcile see exactly what a deployment would have stored in Consul KV.
 */
import { join } from 'node:path';
import { SpecInvalidError } from '../../layers/errors';
import { validateMeshSpec, type MeshSpec } from '../../layers/domain/spec';

/** The reference topology's file (DESIGN.md section 3): its services, upstreams and gateway. */
export const REFERENCE_SPEC_PATH = join(__dirname, '..', '..', 'examples', 'mesh.yaml');

/** Task counts by service name (the gateway by its name too). */
export type TaskCounts = Readonly<Record<string, number>>;

/**
 * The event path's mesh: the reference topology with its services scaled to 1,000 tasks in all
 * (250 users, 250 activities, 250 todos, 200 notifications, 50 gateway tasks; the gateway is capped at 100).
 */
export const EVENT_PATH_COUNTS: TaskCounts = { users: 250, activities: 250, todos: 250, notifications: 200, 'ingress-gateway': 50 };

/** Total tasks of a set of counts. */
export function totalTasks(counts: TaskCounts): number {
  return Object.values(counts).reduce((total, count) => total + count, 0);
}

/**
 * `spec` with the desired counts replaced (services and gateway by name), validated again.
 *
 * @throws RangeError when a count names no service of the spec; SpecInvalidError when a count breaks the schema.
 * @example scaleSpec(reference, { users: 250 }).clusters[0].services[0].desiredCount // 250
 */
export function scaleSpec(spec: MeshSpec, counts: TaskCounts): MeshSpec {
  const copy = structuredClone(spec);
  const unknown = new Set(Object.keys(counts));
  for (const cluster of copy.clusters) {
    for (const service of cluster.services) {
      if (counts[service.name] === undefined) continue;
      service.desiredCount = counts[service.name];
      unknown.delete(service.name);
    }
  }
  if (copy.ingress && counts[copy.ingress.name] !== undefined) {
    copy.ingress.desiredCount = counts[copy.ingress.name];
    unknown.delete(copy.ingress.name);
  }
  if (unknown.size > 0) throw new RangeError(`no service named ${[...unknown].join(', ')} in mesh ${spec.name}`);
  return validated(copy);
}

/** The reference mesh from examples/mesh.yaml, scaled to `counts`. */
export function referenceMeshSpec(counts: TaskCounts = EVENT_PATH_COUNTS): MeshSpec {
  const result = validateMeshSpec({ path: REFERENCE_SPEC_PATH });
  if (!result.ok) throw new SpecInvalidError(result.issues);
  return scaleSpec(result.spec, counts);
}

/**
 * A mesh of `clusters` clusters (`reconcile-1`, ...) with one service each (`svc-1`, ...) of `tasksPerCluster`
 * tasks; each service has the next one as upstream, so every task registers an instance and a sidecar proxy with
 * an upstream, as a real mesh does. No ingress: every registering cluster holds the same number of tasks.
 */
export function clusteredMeshSpec(clusters: number, tasksPerCluster: number): MeshSpec {
  if (!Number.isInteger(clusters) || clusters < 1) throw new RangeError(`clusters must be an integer >= 1, got ${clusters}`);
  const services = Array.from({ length: clusters }, (_, i) => `svc-${i + 1}`);
  return validated({
    name: 'churn-bench',
    clusters: services.map((name, i) => ({
      name: `reconcile-${i + 1}`,
      services: [
        {
          name,
          image: `bench/${name}:1.0.0`,
          port: 8080,
          desiredCount: tasksPerCluster,
          upstreams: clusters > 1 ? [{ service: services[(i + 1) % clusters], localBindPort: 1234 }] : [],
        },
      ],
    })),
  });
}

function validated(object: unknown): MeshSpec {
  const result = validateMeshSpec({ object });
  if (!result.ok) throw new SpecInvalidError(result.issues);
  return result.spec;
}
