import type { MeshSpec } from '../spec/schema';
import { serverFamily, TAG } from '../naming';

/**
 * The cloud auto-join string by which each Consul server finds the others (`retry_join`), never an IP.
 *
 * go-discover's `aws` provider (the library behind Consul's cloud auto-join) can discover ECS tasks instead of EC2
 * instances: with `service=ecs` it lists the running tasks of `ecs_cluster` (optionally of one task-definition
 * `ecs_family`), keeps those carrying the tag `tag_key=tag_value` and returns their private IPv4 addresses (awsvpc
 * ENIs, so Fargate works). That fits servers that are ECS tasks, where EC2 tags would name container instances,
 * which Fargate does not have. Requirements this puts on the rest of the system:
 * - the server tasks carry the tag `TAG.serverJoin = <mesh name>` (tag the ECS service and set `propagateTags`);
 * - the server task role (serverless.yml `ServerTaskRole`) allows ecs:ListTasks and ecs:DescribeTasks in the server
 *   cluster: with `ecs_cluster` given go-discover lists that cluster's RUNNING tasks of `ecs_family` and describes them
 *   with their tags, and needs none of the ListClusters/ListServices/DescribeServices its help lists for a search of
 *   every cluster;
 * - the Consul build in the server image includes go-discover's ECS support (added in 2022, hashicorp/go-discover#197).
 * `region` is given explicitly so discovery does not depend on the metadata endpoint.
 *
 * @example
 *   buildServerRetryJoin(spec)
 *   // 'provider=aws service=ecs region=us-east-1 ecs_cluster=consul-server ecs_family=reference-mesh-consul-server
 *   //  tag_key=consul-mesh:server tag_value=reference-mesh'
 */
export function buildServerRetryJoin(spec: MeshSpec): string {
  const settings: Array<[string, string]> = [
    ['provider', 'aws'],
    ['service', 'ecs'],
    ['region', spec.region],
    ['ecs_cluster', spec.consul.servers.cluster],
    ['ecs_family', serverFamily(spec)],
    ['tag_key', TAG.serverJoin],
    ['tag_value', spec.name],
  ];
  return settings.map(([key, value]) => `${key}=${discoverValue(value)}`).join(' ');
}

/**
 * go-discover reads `key=value` pairs separated by spaces; a value holding a space, `=`, a backslash or a double quote
 * must be double-quoted with backslash escapes (Consul's cloud auto-join documentation).
 */
function discoverValue(value: string): string {
  if (!/[\s="\\]/.test(value)) return value;
  return `"${value.replace(/\\/g, '\\\\').replace(/"/g, '\\"')}"`;
}
