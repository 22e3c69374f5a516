import type { MeshSpec } from '../spec/schema';
import { meshParameterPrefix, type MeshRole } from '../naming';
import { ImageNotResolvedError } from '../../errors';

/**
 * What the caller knows and a spec does not: the images resolved by the build stage, the IAM roles and the
 * account. Given explicitly so the builders stay pure (no environment, no clock, no SDK).
 */
export interface TaskDefinitionContext {
  /**
   * Resolved image URIs keyed by service name, gateway name, `consul-server` and `consul-dataplane`
   * (IMAGE_KEY). A service with a `build` context must be present here; one with an `image` falls back to it.
   */
  images: Record<string, string>;
  executionRoleArn: string;
  /**
   * The task role of each kind of task: a Consul server's may list and describe the server cluster's tasks (cloud
   * auto-join), a gateway's and a service's need no AWS call. Separate roles, so an app container never holds the
   * servers' permissions.
   */
  taskRoleArns: TaskRoleArns;
  /** Account and partition of the SSM parameter ARNs in `secrets` (ECS requires the full ARN). */
  accountId: string;
  partition?: string;
  /** Root of the orchestrator's SSM parameters; `/consul-mesh` unless configured (SSM_PREFIX). */
  ssmRoot?: string;
  /**
   * Hashes of the rendered configurations, keyed like `images`. When given, each container carries its hash, so a
   * configuration change is a task definition change and ECS replaces the tasks.
   */
  configHashes?: Record<string, string>;
}

/**
 * A task role ARN per kind of task, keyed like the `consul-mesh:role` tag. The gateways' role (`ingress-gateway`)
 * also runs the mesh gateway: neither calls AWS.
 */
export type TaskRoleArns = Record<Exclude<MeshRole, 'mesh-gateway'>, string>;

/** What CreateService/UpdateService need beyond the spec. */
export interface ServiceContext {
  /** The task definition to run: its ARN (as RegisterTaskDefinition returned it) or the family (latest ACTIVE). */
  taskDefinition?: string;
  /** Used when the spec lists no subnets / security groups (e.g. the environment's defaults). */
  subnets?: string[];
  securityGroups?: string[];
  /**
   * The Cloud Map service the Consul servers register in (`consul-server.<mesh>.internal`): the stable address the
   * functions reach Consul at while server tasks come and go.
   */
  serverRegistryArn?: string;
}

/** Re-exported for the builders' callers: the error itself is one of the orchestrator's named errors. */
export { ImageNotResolvedError };

/**
 * ARN of an SSM parameter as ECS `secrets[].valueFrom` wants it: `arn:<partition>:ssm:<region>:<account>:parameter/<name>`.
 * Fully qualified names start with `/`, which the ARN does not repeat (`parameter/consul-mesh/...`).
 */
export function ssmParameterArn(spec: Pick<MeshSpec, 'region'>, ctx: Pick<TaskDefinitionContext, 'accountId' | 'partition'>, name: string): string {
  return `arn:${ctx.partition ?? 'aws'}:ssm:${spec.region}:${ctx.accountId}:parameter/${name.replace(/^\//, '')}`;
}

/** The CloudWatch Logs group of a mesh's containers: one per mesh, one stream prefix per component. */
export function logGroupName(spec: Pick<MeshSpec, 'name'>): string {
  return `/ecs${meshParameterPrefix(spec)}`;
}

export function requireImage(ctx: Pick<TaskDefinitionContext, 'images'>, key: string, fallback?: string): string {
  const image = ctx.images[key] ?? fallback;
  if (image === undefined || image === '') {
    throw new ImageNotResolvedError(`no image for "${key}": the build stage must resolve it (ctx.images["${key}"])`);
  }
  return image;
}
