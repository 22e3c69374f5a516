/**
 * What the benchmark registers: a mesh service's task as the task-event handler registers it (buildRegistration),
 * sent as `PUT /v1/catalog/register` requests.
 */
import { parseEcsTask, type EcsTask, type TaskRegistration } from '../../layers/domain/registration';
import type { CatalogCheck, CatalogNode, CatalogService } from '../../layers/domain/registration/registration';
import { serviceFamily } from '../../layers/domain/naming';
import type { MeshSpec, ServiceSpec } from '../../layers/domain/spec';

/** The body of one `PUT /v1/catalog/register`: the node, one service and that service's checks. */
export interface CatalogRegisterBody extends CatalogNode {
  Service: CatalogService;
  Checks: CatalogCheck[];
}

/**
 * The catalog register requests equivalent to a task's registration: one per service (the instance, then its
 * sidecar proxy), each with the node and the service's own checks. Consul's catalog endpoint takes a single
 * `Service` per request, so what the handler writes in one `/v1/txn` takes one request per service here; the
 * instance comes first because the proxy names it as its destination.
 *
 * @throws RangeError when a check names a service the registration does not hold (it would be refused by Consul).
 */
export function catalogRegisterBodies(registration: TaskRegistration): CatalogRegisterBody[] {
  const ids = new Set(registration.services.map((s) => s.ID));
  for (const check of registration.checks) {
    if (!ids.has(check.ServiceID)) throw new RangeError(`check ${check.CheckID} names service ${check.ServiceID}, which the registration does not hold`);
  }
  return registration.services.map((service) => ({
    ...registration.node,
    Service: service,
    Checks: registration.checks.filter((check) => check.ServiceID === service.ID),
  }));
}

/**
 * A RUNNING, HEALTHY task of `service` on `cluster`, in the shape of a DescribeTasks answer (only the fields the
 * registration reads): started by the service's ECS deployment, with an awsvpc address derived from `index`.
 */
export function benchTask(spec: MeshSpec, cluster: string, service: ServiceSpec, index: number): EcsTask {
  if (!Number.isInteger(index) || index < 0 || index >= 65_536) throw new RangeError(`task index must be an integer within 0..65535, got ${index}`);
  const taskId = index.toString(16).padStart(32, '0');
  const ip = `10.0.${index >> 8}.${index & 255}`;
  const region = 'us-east-1';
  const account = '000000000000';
  return parseEcsTask({
    taskArn: `arn:aws:ecs:${region}:${account}:task/${cluster}/${taskId}`,
    clusterArn: `arn:aws:ecs:${region}:${account}:cluster/${cluster}`,
    taskDefinitionArn: `arn:aws:ecs:${region}:${account}:task-definition/${serviceFamily(spec, service.name)}:1`,
    group: `service:${service.name}`,
    startedBy: 'ecs-svc/1234567890123456789',
    lastStatus: 'RUNNING',
    desiredStatus: 'RUNNING',
    healthStatus: 'HEALTHY',
    version: 3,
    containers: [{ name: service.name, lastStatus: 'RUNNING', healthStatus: 'HEALTHY', networkInterfaces: [{ privateIpv4Address: ip }] }],
  });
}
