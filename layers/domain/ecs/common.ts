import type { Compatibility, KeyValuePair, LogConfiguration, NetworkMode, RuntimePlatform, Secret, Tag } from '@aws-sdk/client-ecs';
import type { MeshSpec } from '../spec/schema';
import { TAG, type MeshRole } from '../naming';
import type { ContainerEnvironmentVariable, ContainerSecret } from '../consul/launch-types';
import { logGroupName, ssmParameterArn, type TaskDefinitionContext } from './context';

/** Environment variables as ECS takes them, sorted by name so identical specs give byte-identical inputs. */
export function sortedEnvironment(env: Record<string, string>): KeyValuePair[] {
  return Object.keys(env)
    .sort()
    .map((name) => ({ name, value: env[name] }));
}

/**
 * `secrets` entries (env name → SSM parameter name), sorted by name. ECS wants the parameter's ARN in
 * `valueFrom` when it is not in the task's region/account; the ARN is always right, so it is always used.
 */
export function sortedSecrets(spec: Pick<MeshSpec, 'region'>, ctx: TaskDefinitionContext, secrets: Record<string, string>): Secret[] {
  return Object.keys(secrets)
    .sort()
    .map((name) => ({ name, valueFrom: ssmParameterArn(spec, ctx, secrets[name]) }));
}

/** A launch contract's `environment` (consul layer) as ECS takes it: sorted by name. */
export function launchEnvironment(entries: readonly ContainerEnvironmentVariable[]): KeyValuePair[] {
  return sortedEnvironment(Object.fromEntries(entries.map((e) => [e.name, e.value])));
}

/** A launch contract's `secrets` (consul layer, parameter names) as ECS takes them: sorted, with parameter ARNs. */
export function launchSecrets(spec: Pick<MeshSpec, 'region'>, ctx: TaskDefinitionContext, entries: readonly ContainerSecret[]): Secret[] {
  return sortedSecrets(spec, ctx, Object.fromEntries(entries.map((s) => [s.name, s.valueFrom])));
}

/** Tags of every mesh resource: the mesh and the role, plus what the caller adds, in a fixed order. */
export function meshTags(spec: Pick<MeshSpec, 'name'>, role: MeshRole, extra: Record<string, string> = {}): Tag[] {
  const tags: Record<string, string> = { [TAG.mesh]: spec.name, [TAG.role]: role, ...extra };
  return Object.keys(tags)
    .sort()
    .map((key) => ({ key, value: tags[key] }));
}

/** The launch type a task definition is validated against (ECS checks Fargate's rules at registration). */
export function compatibilities(spec: Pick<MeshSpec, 'network'>): Compatibility[] {
  return [spec.network.launchType];
}

export function networkMode(spec: Pick<MeshSpec, 'network'>): NetworkMode {
  return spec.network.mode;
}

/**
 * The platform every task of the mesh runs on. Without `runtimePlatform` Fargate runs X86_64, while the images are
 * built for the spec's architecture (CodeBuild's environment and `docker build --platform`, layers/deploy/images.ts):
 * an arm64 image on an X86_64 task fails to start. Set on every task definition, so the two always agree.
 */
export function runtimePlatform(spec: Pick<MeshSpec, 'network'>): RuntimePlatform {
  return { cpuArchitecture: spec.network.cpuArchitecture, operatingSystemFamily: 'LINUX' };
}

/**
 * awslogs driver: one log group per mesh, one stream prefix per component, so streams read
 * `<component>/<container>/<taskId>`. The group is the stack's (serverless.yml `MeshLogGroup`, with a retention),
 * never created by a task: `awslogs-create-group` would make the execution role need logs:CreateLogGroup, and a
 * group created that way keeps its logs forever. A task whose group does not exist fails to start
 * (ResourceInitializationError), so the stack must be deployed for the mesh's name before the mesh.
 */
export function awsLogs(spec: Pick<MeshSpec, 'name' | 'region'>, streamPrefix: string): LogConfiguration {
  return {
    logDriver: 'awslogs',
    options: {
      'awslogs-group': logGroupName(spec),
      'awslogs-region': spec.region,
      'awslogs-stream-prefix': streamPrefix,
    },
  };
}

/**
 * Adds the `consul-mesh:spec-hash` tag: the hash of everything else in the input. ECS keeps tags of a task
 * definition revision and of a service, so `meshctl plan` and the reconcile can tell "built from this spec"
 * without re-deriving it. Tags and the client token are left out of the hash (the first would be circular, the
 * second is itself derived from the input).
 */
export function withSpecHashTag<T extends { tags?: Tag[]; clientToken?: string }>(input: T, hash: (value: unknown) => string): T {
  const { tags = [], clientToken: _token, ...rest } = input;
  const tagged = [...tags.filter((t) => t.key !== TAG.specHash), { key: TAG.specHash, value: hash(rest) }];
  tagged.sort((a, b) => byCodeUnits(a.key ?? '', b.key ?? ''));
  return { ...input, tags: tagged };
}

/** Leaves optional array members out of an input when empty, so inputs read like ECS's own descriptions. */
export function nonEmpty<T>(items: T[]): T[] | undefined {
  return items.length > 0 ? items : undefined;
}

/** Locale-independent ordering (what `Array.prototype.sort` does on strings): the same on every machine. */
export function byCodeUnits(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}
