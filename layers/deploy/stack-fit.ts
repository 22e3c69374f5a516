import type { MeshSpec } from '../domain/spec/schema';
import type { SpecIssue } from '../domain/spec/issues';
import { meshParameterPrefix } from '../domain/naming';

/** What a stack allows that a spec must fit (serverless.yml's region and the task execution role's SSM paths). */
export interface StackLimits {
  /** The region the stack's functions run in (`AWS_REGION`): the one the SSM parameters and ECS resources live in. */
  region?: string;
  /**
   * The SSM path, besides the mesh's own `/consul-mesh/<mesh>/`, whose parameters the task execution role may read
   * for `secrets` (serverless.yml's `appSecretsPath`, e.g. `/teams/platform/`).
   */
  appSecretsPath?: string;
}

/**
 * Problems of a valid spec in this stack, found before anything is written; `meshctl validate` cannot see them
 * because they depend on where the spec is deployed:
 * - `region` must be the stack's: the functions write the mesh's SSM parameters in their own region, and the task
 *   definitions name the secrets by ARN in the spec's, so a task of another region's spec could never read them
 *   (and the execution role only grants its own region);
 * - every service secret must be a parameter the task execution role may read (GetParameters when ECS starts the
 *   task): under the mesh's prefix or the stack's `appSecretsPath`. Otherwise every task of the service would stop
 *   with ResourceInitializationError after the deployment had already changed the mesh.
 */
export function stackFitIssues(spec: MeshSpec, limits: StackLimits, ssmRoot = '/consul-mesh'): SpecIssue[] {
  const issues: SpecIssue[] = [];
  if (limits.region && spec.region !== limits.region) {
    issues.push({
      path: 'region',
      message: `the spec is for ${spec.region}, but this stack runs in ${limits.region}: deploy it with a stack in ${spec.region} (one stack per mesh and region)`,
    });
  }
  const allowed = [`${meshParameterPrefix(spec, ssmRoot)}/`, ...(limits.appSecretsPath ? [withSlashes(limits.appSecretsPath)] : [])];
  spec.clusters.forEach((cluster, c) =>
    cluster.services.forEach((service, s) => {
      for (const [variable, name] of Object.entries(service.secrets)) {
        if (allowed.some((prefix) => withLeadingSlash(name).startsWith(prefix))) continue;
        issues.push({
          path: `clusters[${c}].services[${s}].secrets.${variable}`,
          message:
            `${name} is outside what the task execution role may read (${allowed.join(' or ')}): store it under the ` +
            `mesh's prefix, or deploy the stack with --param="appSecretsPath=<its path>"`,
        });
      }
    }),
  );
  return issues;
}

function withLeadingSlash(name: string): string {
  return name.startsWith('/') ? name : `/${name}`;
}

/** `/teams/platform` and `teams/platform/` both mean the parameters under `/teams/platform/`. */
function withSlashes(path: string): string {
  const leading = withLeadingSlash(path);
  return leading.endsWith('/') ? leading : `${leading}/`;
}
