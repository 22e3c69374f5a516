import { createConsulCall, createConsulClient, type ConsulApi, type ConsulClientOptions } from './consul';

/** A policy as Consul's `/v1/acl/policy` answers it (the fields the orchestrator reads). */
export interface ConsulAclPolicy {
  ID: string;
  Name: string;
  Description: string;
  Rules: string;
}

/** A token as Consul's `/v1/acl/token` answers it (the fields the orchestrator reads). */
export interface ConsulAclToken {
  AccessorID: string;
  SecretID: string;
  Description: string;
  Policies?: Array<{ ID: string; Name: string }> | null;
  ServiceIdentities?: Array<{ ServiceName: string }> | null;
}

export interface ConsulAclTokenInput {
  AccessorID: string;
  SecretID: string;
  Description: string;
  Policies: ReadonlyArray<{ Name: string }>;
  ServiceIdentities: ReadonlyArray<{ ServiceName: string }>;
}

/**
 * The ACL calls of the one step that manages ACLs (https://developer.hashicorp.com/consul/api-docs/acl/policies,
 * .../acl/tokens), plus the leader and KV reads it needs. Needs a token with `acl:write`: the management token.
 * A missing policy or token is `undefined` (Consul answers 404); failures are the named errors of consul.ts.
 */
export interface ConsulAclApi extends Pick<ConsulApi, 'leader' | 'kvGet'> {
  readPolicyByName(name: string): Promise<ConsulAclPolicy | undefined>;
  createPolicy(policy: { Name: string; Description: string; Rules: string }): Promise<ConsulAclPolicy>;
  updatePolicy(id: string, policy: { Name: string; Description: string; Rules: string }): Promise<ConsulAclPolicy>;
  readToken(accessorId: string): Promise<ConsulAclToken | undefined>;
  /** Creates a token with the given AccessorID and SecretID (Consul 1.5+ accepts both on create). */
  createToken(token: ConsulAclTokenInput): Promise<ConsulAclToken>;
  /** Updates description, policies and service identities; the SecretID never changes. */
  updateToken(token: ConsulAclTokenInput): Promise<ConsulAclToken>;
  /** Deletes a token (a token already gone is not an error: a retried rotation step). */
  deleteToken(accessorId: string): Promise<void>;
}

/** One ring of `GET /v1/operator/keyring`: each key with the number of members that have it, and the primaries. */
export interface ConsulKeyring {
  WAN: boolean;
  Keys: Record<string, number>;
  PrimaryKeys?: Record<string, number>;
  NumNodes: number;
}

/**
 * The gossip keyring (https://developer.hashicorp.com/consul/api-docs/operator/keyring), on every server at once:
 * `keyring:read` to list, `keyring:write` to change. Only the management token has it here.
 */
export interface ConsulKeyringApi {
  keyringList(): Promise<ConsulKeyring[]>;
  /** Installs a key on every member (POST). */
  keyringInstall(key: string): Promise<void>;
  /** Makes an installed key the primary on every member (PUT); Consul refuses a key some member lacks. */
  keyringUse(key: string): Promise<void>;
  /** Removes a key from every member (DELETE); Consul refuses the primary key. */
  keyringRemove(key: string): Promise<void>;
}

/** The keyring calls, with the management token's client options. */
export function createConsulKeyringClient(options: ConsulClientOptions): ConsulKeyringApi {
  const call = createConsulCall(options);
  return {
    async keyringList() {
      return (await (await call('GET', '/v1/operator/keyring')).json()) as ConsulKeyring[];
    },
    async keyringInstall(key) {
      await call('POST', '/v1/operator/keyring', { Key: key });
    },
    async keyringUse(key) {
      await call('PUT', '/v1/operator/keyring', { Key: key });
    },
    async keyringRemove(key) {
      await call('DELETE', '/v1/operator/keyring', { Key: key });
    },
  };
}

export function createConsulAclClient(options: ConsulClientOptions): ConsulAclApi {
  const call = createConsulCall(options);
  const { leader, kvGet } = createConsulClient(options);
  const json = async <T>(r: Response): Promise<T> => (await r.json()) as T;
  return {
    leader,
    kvGet,
    async readPolicyByName(name) {
      const r = await call('GET', `/v1/acl/policy/name/${encodeURIComponent(name)}`, undefined, [404]);
      return r.status === 404 ? undefined : json<ConsulAclPolicy>(r);
    },
    async createPolicy(policy) {
      return json<ConsulAclPolicy>(await call('PUT', '/v1/acl/policy', policy));
    },
    async updatePolicy(id, policy) {
      return json<ConsulAclPolicy>(await call('PUT', `/v1/acl/policy/${encodeURIComponent(id)}`, { ID: id, ...policy }));
    },
    async readToken(accessorId) {
      const r = await call('GET', `/v1/acl/token/${encodeURIComponent(accessorId)}`, undefined, [404]);
      return r.status === 404 ? undefined : json<ConsulAclToken>(r);
    },
    async createToken(token) {
      return json<ConsulAclToken>(await call('PUT', '/v1/acl/token', token));
    },
    async updateToken(token) {
      return json<ConsulAclToken>(await call('PUT', `/v1/acl/token/${encodeURIComponent(token.AccessorID)}`, token));
    },
    async deleteToken(accessorId) {
      await call('DELETE', `/v1/acl/token/${encodeURIComponent(accessorId)}`, undefined, [404]);
    },
  };
}
