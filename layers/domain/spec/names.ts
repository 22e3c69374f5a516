/**
 * Name rules shared by ECS and Consul.
 *
 * - ECS cluster and service names: up to 255 letters, numbers, hyphens and underscores.
 * - Consul service names must be valid DNS labels to be resolvable as `<name>.service.consul`:
 *   lowercase letters, digits and hyphens, starting with a letter, at most 63 characters.
 * A mesh service name is used in both places (and prefixed by the mesh name in task-definition families,
 * whose limit is 255), so it must satisfy the stricter Consul rule.
 */
export const DNS_LABEL = /^[a-z]([a-z0-9-]{0,61}[a-z0-9])?$/;
export const DNS_LABEL_HINT = 'lowercase letters, digits and hyphens, starting with a letter, not ending with a hyphen, at most 63 characters';

/** ECS cluster names (the cluster also names the synthetic Consul node, which accepts the same characters). */
export const ECS_NAME = /^[A-Za-z0-9_-]{1,255}$/;
export const ECS_NAME_HINT = 'letters, digits, hyphens and underscores, 1 to 255 characters';

/** SSM parameter names as referenced from the spec: fully qualified (`/path/name`), SSM's character set. */
export const SSM_PARAMETER_NAME = /^\/[A-Za-z0-9_.\-/]{1,1010}$/;
export const SSM_PARAMETER_HINT = 'a fully qualified SSM parameter name such as /mesh/gossip-key (letters, digits, _ . - /)';

/** SSM PutParameter: "A parameter name hierarchy can have a maximum of 15 levels"; an empty level is no name. */
export const SSM_MAX_LEVELS = 15;

/** Why SSM cannot hold a parameter of this (fully qualified) name, or undefined when it can. */
export function ssmHierarchyIssue(name: string): string | undefined {
  const levels = name.replace(/^\//, '').split('/');
  if (levels.some((level) => level === '')) return 'must not have an empty level ("//" or a trailing "/")';
  if (levels.length > SSM_MAX_LEVELS) return `must have at most ${SSM_MAX_LEVELS} levels (SSM's hierarchy limit), not ${levels.length}`;
  return undefined;
}

/**
 * SSM reserves names starting with "aws" or "ssm" (case-insensitive) for its own and public parameters: a
 * PutParameter of such a name fails. Reading one (e.g. `/aws/reference/secretsmanager/...`) is fine.
 */
export const SSM_RESERVED_PREFIX = /^\/?(aws|ssm)/i;

/** Environment variable names as ECS accepts them in container definitions. */
export const ENV_NAME = /^[A-Za-z_][A-Za-z0-9_]*$/;

/** Image references: `repository[:tag]` or `registry/repository[:tag|@sha256:…]`; `:latest` and no tag are refused. */
export const IMAGE_REF = /^[a-z0-9]+([._\-/:][a-z0-9]+)*(:[A-Za-z0-9_][A-Za-z0-9_.-]{0,127}|@sha256:[a-f0-9]{64})$/;
export const IMAGE_REF_HINT = 'an image reference with an explicit tag or digest, e.g. users:1.4.2 (":latest" is not allowed)';
