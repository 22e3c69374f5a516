import { buildAclPlan } from '../domain/consul/acl-policies';
import { resolveTarget } from '../domain/ecs/targets';
import { secretParameterNames, type MeshRole } from '../domain/naming';
import type { MeshSpec } from '../domain/spec/schema';
import { NotFoundError, RotationNotSupportedError } from '../errors';

/**
 * What a rotation of one secret does, decided from the deployed spec alone (pure).
 *
 * Secrets are named as `meshctl rotate` takes them:
 * - `gossip-key`: the servers' gossip encryption key (only the servers gossip; the dataplanes do not);
 * - `acl-token/<role>`: a token the mesh created (layers/domain/consul/acl-policies.ts): `server-agent`,
 *   `dataplane/<service>`, `ingress/<gateway>`;
 * - `ca`: the TLS CA, refused for now (see below).
 */
export type RotationKind = 'gossip-key' | 'acl-token';

/** An ECS service whose tasks read the secret at start (ECS `secrets`), and so are replaced by the rotation. */
export interface RotationTarget {
  cluster: string;
  service: string;
  /** `server` tasks are checked by Consul's leader, the others by their registrations passing. */
  role: MeshRole;
}

export interface RotationPlan {
  mesh: string;
  /** As requested: `gossip-key`, `acl-token/dataplane/users`, ... */
  secret: string;
  kind: RotationKind;
  /** The SSM SecureString that holds the secret; each rotation adds a version (SSM keeps 100). */
  parameter: string;
  /** The token's role (`acl-token` only). */
  role?: string;
  targets: RotationTarget[];
  /** What the rotation does, in order, as the progress output and the README say it. */
  steps: string[];
}

/** The secrets of a deployed spec that `rotate` accepts, for help texts and the refusal of an unknown one. */
export function rotatableSecrets(spec: MeshSpec, root?: string): string[] {
  const names: string[] = [];
  if (spec.consul.security.gossip.enabled) names.push('gossip-key');
  if (spec.consul.security.acl.enabled) {
    for (const token of buildAclPlan(spec, { root }).tokens) if (token.role !== 'orchestrator') names.push(`acl-token/${token.role}`);
  }
  return names;
}

/**
 * The plan for rotating `secret` of the deployed `spec`, with its steps in the safe order:
 *
 * - gossip key (Consul's keyring rotation, https://developer.hashicorp.com/consul/commands/keyring): install the new
 *   key on every server, make it the primary (every server must have it first, or `use` fails), store it in SSM
 *   (a new version), roll the servers (each new one starts with the new key only, which every running server can
 *   decrypt), then remove the old key. At no point does a server gossip with a key another cannot read.
 * - ACL token: create a new token in Consul (same policies and service identities, a new SecretID; Consul never
 *   changes a token's SecretID), store its SecretID in SSM (a new version), roll the tasks that read it, then delete
 *   the old token. Until the old one is deleted both work, so no running task loses its token.
 *
 * @throws RotationNotSupportedError for the CA, the management token and the orchestrator's token (why in the
 *   message); NotFoundError for a secret the mesh does not have.
 */
export function planRotation(spec: MeshSpec, secret: string, root?: string): RotationPlan {
  const security = spec.consul.security;
  const base = { mesh: spec.name, secret };
  if (secret === 'ca' || secret === 'tls-ca') {
    throw new RotationNotSupportedError(
      'rotating the TLS CA is not supported yet: it needs a roll in which servers and dataplanes trust the old and the new CA (a bundle) before the servers re-issue their certificates; the CA in SSM stays unchanged',
    );
  }
  if (secret === 'acl-token/bootstrap' || secret === 'acl-token/management' || secret === 'bootstrap-token') {
    throw new RotationNotSupportedError(
      'the management (bootstrap) token is not rotated by this operation: it is Consul\'s initial_management token, read by the servers only when ACLs are bootstrapped; rotate it by hand (README, "Consul ACLs")',
    );
  }
  if (secret === 'acl-token/orchestrator') {
    throw new RotationNotSupportedError(
      'rotating the orchestrator\'s token is not supported yet: the functions keep it for their container\'s life, so deleting the old token would fail them until they restart',
    );
  }
  if (secret === 'gossip-key') {
    if (!security.gossip.enabled) throw new NotFoundError(`mesh "${spec.name}" has gossip encryption turned off: there is no gossip key to rotate`);
    const servers = resolveTarget(spec, { role: 'server' });
    return {
      ...base,
      kind: 'gossip-key',
      parameter: secretParameterNames(spec, root).gossipKey,
      targets: [{ cluster: servers.cluster, service: servers.serviceName, role: 'server' }],
      steps: [
        'install the new key on every Consul server',
        'make the new key primary',
        'store the new key in SSM',
        `roll the Consul servers (${servers.cluster}/${servers.serviceName})`,
        'remove the old key from every server',
      ],
    };
  }
  if (secret.startsWith('acl-token/')) {
    if (!security.acl.enabled) throw new NotFoundError(`mesh "${spec.name}" has ACLs turned off: there are no tokens to rotate`);
    const role = secret.slice('acl-token/'.length);
    const token = buildAclPlan(spec, { root }).tokens.find((t) => t.role === role);
    if (!token) throw new NotFoundError(`mesh "${spec.name}" has no ACL token "${role}"; rotatable: ${rotatableSecrets(spec, root).join(', ')}`);
    const target = tokenTarget(spec, role);
    const rolled = `${target.cluster}/${target.service}`;
    return {
      ...base,
      kind: 'acl-token',
      parameter: token.parameter,
      role,
      targets: [target],
      steps: ['create the new token in Consul', 'store its SecretID in SSM', `roll the tasks that read it (${rolled})`, 'delete the old token from Consul'],
    };
  }
  throw new NotFoundError(`mesh "${spec.name}" has no secret "${secret}"; rotatable: ${rotatableSecrets(spec, root).join(', ')}`);
}

/** The ECS service whose tasks present the token (acl-policies.ts: one token per dataplane, the servers' agent token). */
function tokenTarget(spec: MeshSpec, role: string): RotationTarget {
  const resolved =
    role === 'server-agent'
      ? resolveTarget(spec, { role: 'server' })
      : role.startsWith('ingress/')
        ? resolveTarget(spec, { role: 'ingress-gateway' })
        : resolveTarget(spec, { role: 'service', service: role.slice('dataplane/'.length) });
  return { cluster: resolved.cluster, service: resolved.serviceName, role: resolved.role };
}
