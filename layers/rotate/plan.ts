import { buildAclPlan } from '../domain/consul/acl-policies';
import { deployStages, resolveTarget } from '../domain/ecs/targets';
import { secretParameterNames, type MeshRole } from '../domain/naming';
import type { MeshSpec } from '../domain/spec/schema';
import { NotFoundError, RotationNotSupportedError } from '../errors';

/**
 * What a rotation of one secret does, decided from the deployed spec alone (pure).
 *
 * Secrets are named as `meshctl rotate` takes them:
 * - `gossip-key`: the servers' gossip encryption key (only the servers gossip; the dataplanes do not);
 * - `acl-token/<role>`: a token the mesh created (layers/domain/consul/acl-policies.ts): `server-agent`,
 *   `dataplane/<service>`, `ingress/<gateway>`, `mesh-gateway/<gateway>`;
 * - `ca`: the TLS CA of the servers' certificates (its certificate and key, `tls/ca-cert` and `tls/ca-key`).
 */
export type RotationKind = 'gossip-key' | 'acl-token' | 'ca';

/** An ECS service whose tasks read the secret at start (ECS `secrets`), and so are replaced by the rotation. */
export interface RotationTarget {
  cluster: string;
  service: string;
  /** `server` tasks are checked by Consul's leader, the others by their registrations passing. */
  role: MeshRole;
}

/**
 * One stage of a CA rotation: what it writes to SSM (if anything), then the services it replaces, in order. The CA
 * rotation is the only one of several stages; its order is what keeps every member trusting every other one.
 */
export interface CaRotationStage {
  /** `trust`: ca-cert := the current bundle plus the new CA; `reissue`: ca-key := the new key; `drop`: ca-cert := the new CA alone. */
  write?: 'trust' | 'reissue' | 'drop';
  targets: RotationTarget[];
  /** As the progress output says it. */
  step: string;
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
  /** Every service the rotation replaces (the rollout locks it respects); a CA rotation rolls them in `stages`. */
  targets: RotationTarget[];
  /** What the rotation does, in order, as the progress output and the README say it. */
  steps: string[];
  /** `ca` only: the CA key's parameter (the certificate's is `parameter`). */
  keyParameter?: string;
  /** `ca` only: its stages, in order. */
  stages?: CaRotationStage[];
}

/** The secrets of a deployed spec that `rotate` accepts, for help texts and the refusal of an unknown one. */
export function rotatableSecrets(spec: MeshSpec, root?: string): string[] {
  const names: string[] = [];
  if (spec.consul.security.gossip.enabled) names.push('gossip-key');
  if (spec.consul.security.acl.enabled) {
    for (const token of buildAclPlan(spec, { root }).tokens) if (token.role !== 'orchestrator') names.push(`acl-token/${token.role}`);
  }
  if (spec.consul.security.tls.enabled) names.push('ca');
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
 * - TLS CA: see planCaRotation.
 *
 * @throws RotationNotSupportedError for the management token and the orchestrator's token (why in the message);
 *   NotFoundError for a secret the mesh does not have.
 */
export function planRotation(spec: MeshSpec, secret: string, root?: string): RotationPlan {
  const security = spec.consul.security;
  const base = { mesh: spec.name, secret };
  if (secret === 'ca' || secret === 'tls-ca') return planCaRotation(spec, secret, root);
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

/**
 * The CA rotation, in stages that never leave two members distrusting each other. Every member verifies the servers'
 * certificates against the bundle of `tls/ca-cert` it read at start (Consul's `ca_file` and consul-dataplane's
 * `-ca-certs` load every certificate of a PEM file), and each server signs its own certificate at start with
 * `tls/ca-key` and the bundle's certificate of that key (docker/consul-server/entrypoint.sh). So, in three phases
 * (five stages, one roll each):
 *
 * 1. `trust`: ca-cert := every CA it holds plus the new one; roll the servers, then every dataplane (services and the
 *    gateway). Certificates are still signed by the old key, which everybody still trusts; afterwards everybody also
 *    trusts the new CA.
 * 2. `reissue`: ca-key := the new key; roll the servers. Each new server presents a certificate of the new CA, which
 *    every member trusts since phase 1; the old servers' certificates are still trusted by everybody.
 * 3. `drop`: ca-cert := the new CA alone; roll the servers, then every dataplane. No server presents an old
 *    certificate any more since phase 2, so nobody needs the old CA.
 *
 * SSM keeps each write as a new version: the old CA stays recoverable from the parameters' history. A rotation that
 * stopped half-way is finished by rotating again: phase 1 keeps every CA the bundle holds, so trust only grows until
 * the servers were re-issued.
 */
function planCaRotation(spec: MeshSpec, secret: string, root?: string): RotationPlan {
  if (!spec.consul.security.tls.enabled) throw new NotFoundError(`mesh "${spec.name}" has TLS turned off: there is no CA to rotate`);
  const names = secretParameterNames(spec, root);
  const toTarget = (t: ReturnType<typeof resolveTarget>): RotationTarget => ({ cluster: t.cluster, service: t.serviceName, role: t.role });
  const [[serverStage], ...dataplaneStages] = deployStages(spec);
  const servers = [toTarget(resolveTarget(spec, serverStage))];
  const dataplanes = dataplaneStages.flat().map((target) => toTarget(resolveTarget(spec, target)));
  const rolled = (targets: RotationTarget[]) => targets.map((t) => `${t.cluster}/${t.service}`).join(', ');
  const stages = ([
    { write: 'trust', targets: servers, step: `store the CA bundle (old and new CA) in SSM, roll the Consul servers (${rolled(servers)})` },
    { targets: dataplanes, step: `roll every dataplane to trust both CAs (${rolled(dataplanes)})` },
    { write: 'reissue', targets: servers, step: `store the new CA key in SSM, roll the servers: they re-issue their certificates from the new CA` },
    { write: 'drop', targets: servers, step: 'store the new CA alone in SSM (the old one stays in the parameter\'s history), roll the servers' },
    { targets: dataplanes, step: 'roll every dataplane to trust the new CA only' },
  ] satisfies CaRotationStage[]).filter((stage: CaRotationStage) => stage.targets.length > 0);
  return {
    mesh: spec.name,
    secret,
    kind: 'ca',
    parameter: names.caCert,
    keyParameter: names.caKey,
    targets: [...servers, ...dataplanes],
    steps: ['generate the new CA', ...stages.map((s) => s.step)],
    stages,
  };
}

/** The ECS service whose tasks present the token (acl-policies.ts: one token per dataplane, the servers' agent token). */
function tokenTarget(spec: MeshSpec, role: string): RotationTarget {
  const resolved =
    role === 'server-agent'
      ? resolveTarget(spec, { role: 'server' })
      : role.startsWith('ingress/')
        ? resolveTarget(spec, { role: 'ingress-gateway' })
        : role.startsWith('mesh-gateway/')
          ? resolveTarget(spec, { role: 'mesh-gateway' })
          : resolveTarget(spec, { role: 'service', service: role.slice('dataplane/'.length) });
  return { cluster: resolved.cluster, service: resolved.serviceName, role: resolved.role };
}
