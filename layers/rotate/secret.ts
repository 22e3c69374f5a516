import { randomBytes, randomUUID } from 'node:crypto';
import type { SsmApi } from '../adapters/ssm';
import type { ConsulAclApi, ConsulKeyringApi } from '../adapters/consul-acl';
import { generateCa } from '../deploy/secrets';
import { tokenAccessorIdForVersion } from '../domain/consul/acl-policies';
import { AclTokenMismatchError, ConcurrentOperationError, NoConsulLeaderError } from '../errors';
import type { ActivatedSecret, PreparedRotation, StoredSecret } from './schemas';

/**
 * The three moves of a secret's rotation, split by who may do them: the steps that hold the Consul management token
 * (activate, retire) read SSM and never write it; the steps that write SSM (stage, store) never hold that token. The
 * new value travels between them through a staging SecureString (`<mesh prefix>/rotation/pending`) that no task
 * reads, never through the execution's state: the history keeps versions and AccessorIDs only.
 */

/** The Consul calls of the two steps that hold the management token: the keyring and the tokens. */
export type RotationConsul = Pick<ConsulAclApi, 'leader' | 'readToken' | 'createToken' | 'deleteToken'> & ConsulKeyringApi;

type Ssm = Pick<SsmApi, 'getParameter' | 'putParameter' | 'deleteParameter'>;

/**
 * Generates the new secret into the staging parameter: a gossip key (32 random bytes, base64, as `consul keygen`
 * makes), a token SecretID (a UUID), or a CA (JSON `{cert, key}`, made as `ensureSecrets` makes the first one: RSA
 * 2048, self-signed, 5 years). Overwrites a staging value a failed rotation left behind.
 */
export async function stageNewSecret(
  prepared: Pick<PreparedRotation, 'kind' | 'stagingParameter'> & { mesh?: string },
  deps: { ssm: Ssm; newGossipKey?: () => string; newSecretId?: () => string; newCa?: (spec: { name: string }) => { cert: string; key: string } },
): Promise<void> {
  const value =
    prepared.kind === 'ca'
      ? JSON.stringify((deps.newCa ?? generateCa)({ name: prepared.mesh ?? 'mesh' }))
      : prepared.kind === 'gossip-key'
        ? (deps.newGossipKey ?? (() => randomBytes(32).toString('base64')))()
        : (deps.newSecretId ?? randomUUID)();
  await deps.ssm.putParameter({
    Name: prepared.stagingParameter,
    Type: 'SecureString',
    Value: value,
    Overwrite: true,
    // A staged CA (certificate and key) stays under 4 KB; Intelligent-Tiering keeps a bigger one storable.
    ...(prepared.kind === 'ca' ? { Tier: 'Intelligent-Tiering' as const } : {}),
    Description: 'consul-mesh: a secret being rotated (never read by a task)',
  });
}

/**
 * Makes the staged secret live in Consul next to the old one (management token), before any task can read it:
 * - gossip key: `consul keyring -install`, then `-use` (Consul refuses `use` for a key a member lacks), so no server
 *   ever encrypts with a key another cannot decrypt;
 * - ACL token: a new token with the old one's policies and service identities, the staged SecretID and the AccessorID
 *   of the parameter's next version (Consul never changes a token's SecretID). The old token keeps working.
 */
export async function activateNewSecret(prepared: PreparedRotation, deps: { ssm: Ssm; consul: RotationConsul }): Promise<ActivatedSecret> {
  if (!(await deps.consul.leader())) throw new NoConsulLeaderError('Consul has no leader: a rotation needs every server reachable');
  const staged = await readSecret(deps.ssm, prepared.stagingParameter);
  const current = await readSecret(deps.ssm, prepared.parameter);
  if (prepared.kind === 'gossip-key') {
    await deps.consul.keyringInstall(staged.value);
    await deps.consul.keyringUse(staged.value);
    return { previousVersion: current.version };
  }
  const role = prepared.role ?? '';
  const previousAccessorId = tokenAccessorIdForVersion({ name: prepared.mesh }, role, current.version);
  const old = await deps.consul.readToken(previousAccessorId);
  if (!old || old.SecretID !== current.value) {
    throw new AclTokenMismatchError(`Consul's ${role} token (AccessorID ${previousAccessorId}) does not hold ${prepared.parameter} version ${current.version}: deploy the mesh first`);
  }
  const accessorId = tokenAccessorIdForVersion({ name: prepared.mesh }, role, current.version + 1);
  // A retried step may have created it already (with this or an earlier staged SecretID): replace it.
  await deps.consul.deleteToken(accessorId);
  await deps.consul.createToken({
    AccessorID: accessorId,
    SecretID: staged.value,
    Description: old.Description,
    Policies: (old.Policies ?? []).map((p) => ({ Name: p.Name })),
    ServiceIdentities: (old.ServiceIdentities ?? []).map((s) => ({ ServiceName: s.ServiceName })),
  });
  return { previousVersion: current.version, previousAccessorId, accessorId };
}

/**
 * Stores the staged secret as the parameter's next version (SSM keeps the last 100, so the history stays), then
 * deletes the staging parameter. From here on ECS starts every task that reads the parameter with the new secret,
 * which Consul already accepts. A version other than the next one means someone else wrote the parameter meanwhile:
 * a token's AccessorID would no longer follow its version, so that is refused.
 */
export async function storeNewSecret(prepared: PreparedRotation, activated: ActivatedSecret, deps: { ssm: Ssm; now?: () => number }): Promise<StoredSecret> {
  const staged = await readSecret(deps.ssm, prepared.stagingParameter);
  const { Version } = await deps.ssm.putParameter({ Name: prepared.parameter, Type: 'SecureString', Value: staged.value, Overwrite: true });
  const version = Version ?? activated.previousVersion + 1;
  if (version !== activated.previousVersion + 1) {
    throw new ConcurrentOperationError(`${prepared.parameter} was written by someone else during the rotation (version ${version}, expected ${activated.previousVersion + 1})`);
  }
  await deleteStaged(prepared, deps.ssm);
  return { ...activated, version, writtenAt: (deps.now ?? Date.now)() };
}

/**
 * The rotation's last Consul step, once every task that uses the secret runs with the new version: retire the old
 * one (management token). Gossip key: remove every key but the one SSM holds (Consul refuses to remove the primary).
 * Token: delete the old token, so its SecretID no longer authenticates. Returns what was removed.
 */
export async function retireOldSecret(prepared: PreparedRotation, stored: StoredSecret, deps: { ssm: Ssm; consul: RotationConsul }): Promise<string> {
  if (prepared.kind === 'gossip-key') {
    const current = await readSecret(deps.ssm, prepared.parameter);
    if (current.version !== stored.version) {
      throw new ConcurrentOperationError(`${prepared.parameter} changed during the rotation (version ${current.version}, expected ${stored.version}): the old keys stay installed`);
    }
    const installed = new Set((await deps.consul.keyringList()).flatMap((ring) => Object.keys(ring.Keys ?? {})));
    const old = [...installed].filter((key) => key !== current.value);
    for (const key of old) await deps.consul.keyringRemove(key);
    // A server's keyring lives in its data directory: servers the roll replaced start with the key SSM holds only, so
    // once every server was replaced the old key is on none of them and there is nothing left to remove.
    if (old.length === 0) return 'the old gossip key is on no server any more (each started anew with the new key only)';
    return `${old.length} old gossip key(s) removed from the servers`;
  }
  if (!stored.previousAccessorId) return 'nothing';
  await deps.consul.deleteToken(stored.previousAccessorId);
  return `token ${stored.previousAccessorId} deleted`;
}

/** Deletes the staging parameter (a staged secret left by a failed rotation is of no use). */
export async function deleteStaged(prepared: Pick<PreparedRotation, 'stagingParameter'>, ssm: Ssm): Promise<void> {
  try {
    await ssm.deleteParameter(prepared.stagingParameter);
  } catch (error) {
    if ((error as Error).name !== 'ParameterNotFound') throw error;
  }
}

async function readSecret(ssm: Ssm, name: string): Promise<{ value: string; version: number }> {
  const parameter = await ssm.getParameter(name, { decrypt: true });
  return { value: parameter?.Value ?? '', version: parameter?.Version ?? 1 };
}
