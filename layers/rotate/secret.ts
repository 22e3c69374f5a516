import { randomBytes, randomUUID } from 'node:crypto';
import type { SSMClient } from '@aws-sdk/client-ssm';
import { GetParameterCommand, PutParameterCommand } from '@aws-sdk/client-ssm';
import type { ConsulAclApi, ConsulKeyringApi } from '../adapters/consul-acl';
import { tokenAccessorIdForVersion } from '../domain/consul/acl-policies';
import { AclTokenMismatchError, ConcurrentOperationError, NoConsulLeaderError } from '../errors';
import type { PreparedRotation, StoredSecret } from './schemas';

/** The Consul calls of the two steps that hold the management token: the keyring and the tokens. */
export type RotationConsul = Pick<ConsulAclApi, 'leader' | 'readToken' | 'createToken' | 'deleteToken'> & ConsulKeyringApi;

export interface SecretStepDeps {
  ssm: Pick<SSMClient, 'send'>;
  consul: RotationConsul;
  now?: () => number;
  /** New secrets; tests pass fixed ones. */
  newGossipKey?: () => string;
  newSecretId?: () => string;
}

/**
 * Makes the new secret live next to the old one and stores it in SSM as a new version of its parameter, in the safe
 * order (layers/rotate/plan.ts):
 * - gossip key: install it on every server, make it primary, then write it to SSM. Servers started from now on get
 *   only the new key, which every running server already has and encrypts with.
 * - ACL token: create a new token in Consul (the old one's policies and service identities, a new SecretID and the
 *   AccessorID of the parameter's next version), then write its SecretID to SSM. Consul knows the token before any
 *   task can read it; the old token keeps working until the rotation's last step.
 *
 * Values go from the generator straight to Consul and SSM; only versions and AccessorIDs are returned.
 */
export async function storeNewSecret(prepared: PreparedRotation, deps: SecretStepDeps): Promise<StoredSecret> {
  if (!(await deps.consul.leader())) throw new NoConsulLeaderError('Consul has no leader: a rotation needs every server reachable');
  const current = await readSecret(deps.ssm, prepared.parameter);
  if (prepared.kind === 'gossip-key') {
    const key = (deps.newGossipKey ?? (() => randomBytes(32).toString('base64')))();
    // `consul keyring -install` then `-use`: Consul refuses `use` for a key a member lacks, so no server ever
    // encrypts with a key another cannot decrypt.
    await deps.consul.keyringInstall(key);
    await deps.consul.keyringUse(key);
    const version = await overwrite(deps.ssm, prepared.parameter, key, current.version);
    return { previousVersion: current.version, version, writtenAt: (deps.now ?? Date.now)() };
  }

  const role = prepared.role ?? '';
  const previousAccessorId = tokenAccessorIdForVersion({ name: prepared.mesh }, role, current.version);
  const old = await deps.consul.readToken(previousAccessorId);
  if (!old || old.SecretID !== current.value) {
    throw new AclTokenMismatchError(`Consul's ${role} token (AccessorID ${previousAccessorId}) does not hold ${prepared.parameter} version ${current.version}: deploy the mesh first`);
  }
  const accessorId = tokenAccessorIdForVersion({ name: prepared.mesh }, role, current.version + 1);
  // A retried step may have created it already: a token with this AccessorID is ours, made for this version.
  const secretId = (deps.newSecretId ?? randomUUID)();
  await deps.consul.deleteToken(accessorId);
  await deps.consul.createToken({
    AccessorID: accessorId,
    SecretID: secretId,
    Description: old.Description,
    Policies: (old.Policies ?? []).map((p) => ({ Name: p.Name })),
    ServiceIdentities: (old.ServiceIdentities ?? []).map((s) => ({ ServiceName: s.ServiceName })),
  });
  const version = await overwrite(deps.ssm, prepared.parameter, secretId, current.version);
  return { previousVersion: current.version, version, writtenAt: (deps.now ?? Date.now)(), previousAccessorId, accessorId };
}

/**
 * The rotation's last step, once every task that uses the secret runs with the new version: retire the old one.
 * Gossip key: remove every key but the new one from the servers (Consul refuses to remove the primary). Token:
 * delete the old token, so its SecretID no longer authenticates. Returns what was removed.
 */
export async function retireOldSecret(prepared: PreparedRotation, stored: StoredSecret, deps: Pick<SecretStepDeps, 'ssm' | 'consul'>): Promise<string> {
  if (prepared.kind === 'gossip-key') {
    const current = await readSecret(deps.ssm, prepared.parameter);
    if (current.version !== stored.version) {
      throw new ConcurrentOperationError(`${prepared.parameter} changed during the rotation (version ${current.version}, expected ${stored.version}): the old keys stay installed`);
    }
    const installed = new Set((await deps.consul.keyringList()).flatMap((ring) => Object.keys(ring.Keys ?? {})));
    const old = [...installed].filter((key) => key !== current.value);
    for (const key of old) await deps.consul.keyringRemove(key);
    return `${old.length} old gossip key(s) removed from the servers`;
  }
  if (!stored.previousAccessorId) return 'nothing';
  await deps.consul.deleteToken(stored.previousAccessorId);
  return `token ${stored.previousAccessorId} deleted`;
}

async function readSecret(ssm: Pick<SSMClient, 'send'>, name: string): Promise<{ value: string; version: number }> {
  const { Parameter } = await ssm.send(new GetParameterCommand({ Name: name, WithDecryption: true }));
  return { value: Parameter?.Value ?? '', version: Parameter?.Version ?? 1 };
}

/**
 * A new version of the SecureString (SSM keeps the last 100, so the history stays). A version other than the next
 * one means someone else wrote the parameter meanwhile: the token's AccessorID would no longer follow its version.
 */
async function overwrite(ssm: Pick<SSMClient, 'send'>, name: string, value: string, previousVersion: number): Promise<number> {
  const { Version } = await ssm.send(new PutParameterCommand({ Name: name, Type: 'SecureString', Value: value, Overwrite: true }));
  if (Version !== undefined && Version !== previousVersion + 1) {
    throw new ConcurrentOperationError(`${name} was written by someone else during the rotation (version ${Version}, expected ${previousVersion + 1})`);
  }
  return Version ?? previousVersion + 1;
}
