import type { SsmApi } from '../adapters/ssm';
import type { ConsulAclApi, ConsulAclToken } from '../adapters/consul-acl';
import { buildAclPlan, tokenAccessorIdForVersion, type AclTokenDefinition, type OrchestratorScope } from '../domain/consul/acl-policies';
import { MeshSpecSchema, type MeshSpec } from '../domain/spec/schema';
import { AclTokenMismatchError, NoConsulLeaderError } from '../errors';
import type { ResourceChange } from './change-set';
import { deployedSpecKey } from './config-entries';

export interface EnsureAclResult {
  /** Policies and tokens written (`policy/<name>`, `token/<role>`). */
  written: string[];
  unchanged: string[];
}

/**
 * Creates or updates the mesh's ACL policies and tokens in Consul (acl-policies.ts), idempotently: what Consul
 * already holds as planned is not written again, so a re-run makes no Raft write.
 *
 * Each token is created with the SecretID its SSM SecureString holds (created once by ensureSecrets) and an
 * AccessorID derived from its role, as Consul's `PUT /v1/acl/token` allows; ECS injects the same SecretIDs into the
 * tasks, so a dataplane logs in with a token Consul knows. A token Consul holds with another SecretID is never
 * overwritten (`AclTokenMismatch`): rotation is an explicit operation.
 *
 * Runs with the management token, after the servers have a leader and before anything registers or writes config
 * entries. The previously deployed spec (still in KV, as the config-entries step runs later) keeps its services in
 * the orchestrator's policy until the next deployment, so tasks of a removed service can still be deregistered; so do
 * the `removals` of the deployment's change set (see removalScope).
 */
export async function ensureAcl(
  spec: MeshSpec,
  deps: { ssm: Pick<SsmApi, 'getParameter'>; consul: ConsulAclApi; ssmRoot?: string },
  removals: readonly ResourceChange[] = [],
): Promise<EnsureAclResult> {
  if (!spec.consul.security.acl.enabled) return { written: [], unchanged: [] };
  if (!(await deps.consul.leader())) throw new NoConsulLeaderError('Consul has no leader yet; ACL policies need one');
  const plan = buildAclPlan(spec, { previous: await previousSpec(spec, deps.consul), removing: removalScope(removals), root: deps.ssmRoot });
  const written: string[] = [];
  const unchanged: string[] = [];

  // Policies first: tokens link them by name.
  for (const policy of plan.policies) {
    const id = `policy/${policy.Name}`;
    const current = await deps.consul.readPolicyByName(policy.Name);
    if (!current) await deps.consul.createPolicy(policy);
    else if (current.Rules !== policy.Rules || current.Description !== policy.Description) await deps.consul.updatePolicy(current.ID, policy);
    else {
      unchanged.push(id);
      continue;
    }
    written.push(id);
  }

  for (const token of plan.tokens) {
    const id = `token/${token.role}`;
    const { value: secretId, version } = await readSecret(deps.ssm, token.parameter);
    // A rotated token (parameter version > 1) has its own AccessorID: the rotation created it in Consul.
    const accessorId = tokenAccessorIdForVersion(spec, token.role, version);
    const input = {
      AccessorID: accessorId,
      SecretID: secretId,
      Description: token.Description,
      Policies: token.Policies,
      ServiceIdentities: token.ServiceIdentities,
    };
    const current = await deps.consul.readToken(accessorId);
    if (!current && version !== undefined && version > 1) {
      // A rotation creates the next version's token before it writes SSM; when the previous version's token exists
      // but this one does not, the parameter was overwritten by hand: never adopt such a value silently.
      const previousAccessor = tokenAccessorIdForVersion(spec, token.role, version - 1);
      if (await deps.consul.readToken(previousAccessor)) {
        throw new AclTokenMismatchError(
          `${token.parameter} is at version ${version}, which Consul does not know, while its ${token.role} token (AccessorID ${previousAccessor}) holds version ${version - 1}: the parameter was changed outside a rotation; restore it (SSM keeps its history) or use meshctl rotate`,
        );
      }
    }
    if (!current) await deps.consul.createToken(input);
    else if (current.SecretID !== secretId) {
      throw new AclTokenMismatchError(
        `Consul's ${token.role} token (AccessorID ${accessorId}) has another SecretID than ${token.parameter}; rotate it explicitly`,
      );
    } else if (!sameToken(current, token)) await deps.consul.updateToken(input);
    else {
      unchanged.push(id);
      continue;
    }
    written.push(id);
  }
  return { written, unchanged };
}

/**
 * The removals the ACL step keeps rights for: the change set's (the removal stage's) and the peerings the peering
 * stage deletes (`plan.peering.removed`, which the removal stage leaves out).
 */
export function aclRemovals(plan: { removals: readonly ResourceChange[]; peering: { removed: ReadonlyArray<{ name: string }> } }): ResourceChange[] {
  return [...plan.removals, ...plan.peering.removed.map((peer): ResourceChange => ({ kind: 'peering', id: peer.name, action: 'remove', reasons: [] }))];
}

/**
 * What the orchestrator acts on while it removes: the services and gateway the change set removes (scaled to 0, their
 * stopped tasks deregistered from their cluster's node) and the names of the config entries it deletes
 * (`service-defaults` needs service:write on its service, `service-intentions` intentions:write on its destination).
 * The previously deployed spec normally names them already; after a deployment that stopped between storing its spec
 * and removing, it does not, and without these the removal stage and the churn handlers are refused
 * (`Permission denied`) on the tasks of the removed services that still run.
 */
export function removalScope(removals: readonly ResourceChange[]): OrchestratorScope {
  const scope: OrchestratorScope = { nodes: new Set(), services: new Set(), gateways: new Set() };
  for (const change of removals) {
    if (change.action !== 'remove') continue;
    const slash = change.id.indexOf('/');
    if (change.kind === 'cluster') scope.nodes.add(change.id);
    else if (change.kind === 'service') {
      scope.nodes.add(change.id.slice(0, slash));
      (change.role === 'ingress-gateway' || change.role === 'mesh-gateway' ? scope.gateways : scope.services).add(change.id.slice(slash + 1));
    } else if (change.kind === 'config-entry' && change.id.startsWith('service-')) scope.services.add(change.id.slice(slash + 1));
    else if (change.kind === 'peering') scope.peerings = true;
  }
  return scope;
}

function sameToken(current: ConsulAclToken, wanted: AclTokenDefinition): boolean {
  const policies = (current.Policies ?? []).map((p) => p.Name).sort();
  const identities = (current.ServiceIdentities ?? []).map((s) => s.ServiceName).sort();
  return (
    current.Description === wanted.Description &&
    JSON.stringify(policies) === JSON.stringify(wanted.Policies.map((p) => p.Name).sort()) &&
    JSON.stringify(identities) === JSON.stringify(wanted.ServiceIdentities.map((s) => s.ServiceName).sort())
  );
}

async function readSecret(ssm: Pick<SsmApi, 'getParameter'>, name: string): Promise<{ value: string; version?: number }> {
  // ParameterNotFound propagates with its name: ensureSecrets (the StoreConfig step) creates every token's secret.
  const parameter = await ssm.getParameter(name, { decrypt: true });
  return { value: parameter?.Value ?? '', version: parameter?.Version };
}

/** The spec the last deployment stored in KV, if any and if still valid (otherwise the new spec alone counts). */
async function previousSpec(spec: MeshSpec, consul: Pick<ConsulAclApi, 'kvGet'>): Promise<MeshSpec | undefined> {
  const entry = await consul.kvGet(deployedSpecKey(spec));
  if (!entry) return undefined;
  try {
    const parsed = MeshSpecSchema.safeParse(JSON.parse(entry.value));
    return parsed.success && parsed.data.name === spec.name ? parsed.data : undefined;
  } catch {
    return undefined;
  }
}
