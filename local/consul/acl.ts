import { randomUUID } from 'node:crypto';
import { forbidden } from './errors';
import { mergeAclRules, nodeIdentityRules, parseAclRules, rulesAllow, serviceIdentityRules, type AclRules } from './acl-rules';

/**
 * Consul's ACL system as the emulator keeps it: policies (named rule sets), tokens (a SecretID presented in
 * `X-Consul-Token`, an AccessorID shown in denials, linked policies and service identities), and the authorizer a
 * request's token resolves to.
 *
 * As Consul answers: an unknown secret fails token resolution with 403 `ACL not found`; a request without a token
 * runs as the anonymous token, which under `default_policy = "deny"` holds no permission, so it gets 403
 * `Permission denied: anonymous token lacks permission '<resource>:<level>' on "<name>"`. A token's permissions are
 * its policies' rules and its service and node identities' synthesised rules (acl-rules.ts); the `global-management` policy
 * allows everything.
 */

/** Shorthands for tokens added directly (tests, the servers' initial management token). */
export type AclPolicy = 'read' | 'write' | 'management';
export type AclResource = 'acl' | 'agent' | 'intentions' | 'key' | 'keyring' | 'mesh' | 'node' | 'operator' | 'peering' | 'service';
export type AccessLevel = 'read' | 'list' | 'write';

export interface AclSettings {
  enabled: boolean;
  /** The secret of a token with the management policy (Consul's bootstrap / `initial_management` token). */
  managementToken?: string;
}

/** Consul's well-known accessor ID of the anonymous token. */
export const ANONYMOUS_ACCESSOR_ID = '00000000-0000-0000-0000-000000000002';
/** Consul's built-in `global-management` policy. */
export const GLOBAL_MANAGEMENT_POLICY_ID = '00000000-0000-0000-0000-000000000001';

/** A policy as `/v1/acl/policy` shows it. */
export interface AclPolicyRecord {
  ID: string;
  Name: string;
  Description: string;
  Rules: string;
  Datacenters?: string[];
  CreateIndex: number;
  ModifyIndex: number;
}

/** A token as `/v1/acl/token` shows it. */
export interface AclTokenRecord {
  AccessorID: string;
  SecretID: string;
  Description: string;
  Policies: Array<{ ID: string; Name: string }>;
  ServiceIdentities?: Array<{ ServiceName: string; Datacenters?: string[] }>;
  NodeIdentities?: Array<{ NodeName: string; Datacenter: string }>;
  Local: boolean;
  CreateTime: string;
  CreateIndex: number;
  ModifyIndex: number;
}

/** What the local cloud's persistence saves: every policy and token (Consul keeps them in its Raft state too). */
export interface SavedAcl {
  /** Tokens added by shorthand (`read`/`write`), whose rules are not a policy. */
  readonly shorthand?: Array<{ accessorId: string; policy: 'read' | 'write' }>;
  readonly policies: AclPolicyRecord[];
  readonly tokens: AclTokenRecord[];
}

/** Rules of the shorthand tokens: `read` reads everything, `write` writes everything but ACLs. */
const SHORTHAND_RULES: Readonly<Record<'read' | 'write', string>> = {
  read: ['service', 'node', 'key', 'agent', 'session', 'event', 'query']
    .map((r) => `${r}_prefix "" {\n  policy = "${r === 'key' ? 'list' : 'read'}"\n}`)
    .concat(['operator = "read"', 'mesh = "read"'])
    .join('\n'),
  write: ['service', 'node', 'key', 'agent', 'session', 'event', 'query']
    .map((r) => `${r}_prefix "" {\n  policy = "write"\n  ${r === 'service' ? 'intentions = "write"\n' : ''}}`)
    .concat(['operator = "write"', 'mesh = "write"'])
    .join('\n'),
};

type Resolved = { readonly accessorId: string; readonly management: boolean; readonly rules?: AclRules };

/** What one request may do. */
export class Authorizer {
  constructor(private readonly token: Resolved | 'acl-disabled') {}

  /** Whether the token holds `resource:level` on `name` (no name: on something, for endpoints that list). */
  allowed(resource: AclResource, level: AccessLevel, name?: string): boolean {
    if (this.token === 'acl-disabled' || this.token.management) return true;
    if (!this.token.rules) return false;
    return rulesAllow(this.token.rules, resource, level, name);
  }

  /** Consul's `PermissionDeniedError` text for a missing permission. */
  denial(resource: AclResource, level: AccessLevel, name?: string): string {
    const who =
      this.token === 'acl-disabled' || this.token.accessorId === ANONYMOUS_ACCESSOR_ID
        ? 'anonymous token'
        : `token with AccessorID '${this.token.accessorId}'`;
    const on = name === undefined ? '' : ` on ${JSON.stringify(name)}`;
    return `Permission denied: ${who} lacks permission '${resource}:${level}'${on}`;
  }

  /** Throw the 403 Consul answers when the permission is missing. */
  require(resource: AclResource, level: AccessLevel, name?: string): void {
    if (!this.allowed(resource, level, name)) throw forbidden(this.denial(resource, level, name));
  }
}

/** Thrown by the table for requests Consul refuses; the endpoints map it to Consul's status and text. */
export class AclTableError extends Error {
  override readonly name = 'AclTableError';
  constructor(
    readonly status: 400 | 404 | 500,
    message: string,
  ) {
    super(message);
  }
}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
/** Consul's policy and service-identity name rule. */
const POLICY_NAME = /^[A-Za-z0-9\-_]{1,128}$/;
const SERVICE_NAME = /^[a-z0-9]([a-z0-9\-_]*[a-z0-9])?$/;
/** Accessor IDs Consul reserves (the anonymous token, the management policy's ID range). */
const RESERVED_PREFIX = '00000000-0000-0000-0000-0000000000';

/** The policy and token tables, and the resolution of a request's secret. */
export class AclResolver {
  private readonly policies = new Map<string, AclPolicyRecord>();
  private readonly tokens = new Map<string, AclTokenRecord>();
  /** SecretID → AccessorID. */
  private readonly bySecret = new Map<string, string>();
  /** Rules of shorthand tokens (not API-visible). */
  private readonly shorthand = new Map<string, AclRules>();
  private changes = 0;
  private index = 0;
  /** Secrets of the management tokens the servers' configuration carries (`initial_management`): a new datacenter has them. */
  private readonly configured = new Set<string>();

  constructor(private readonly settings: AclSettings = { enabled: false }) {
    this.policies.set(GLOBAL_MANAGEMENT_POLICY_ID, {
      ID: GLOBAL_MANAGEMENT_POLICY_ID,
      Name: 'global-management',
      Description: 'Builtin Policy that grants unlimited access',
      Rules: SHORTHAND_RULES.write.concat('\nacl = "write"'),
      CreateIndex: 0,
      ModifyIndex: 0,
    });
    if (settings.managementToken) this.addToken(settings.managementToken, 'management');
  }

  get enabled(): boolean {
    return this.settings.enabled;
  }

  /** Register a token with a shorthand policy (as the servers do with `initial_management`); returns its accessor ID. */
  addToken(secretId: string, policy: AclPolicy): string {
    const existing = this.bySecret.get(secretId);
    if (existing) return existing;
    if (policy === 'management') this.configured.add(secretId);
    const accessorId = randomUUID();
    const token = this.newToken(accessorId, secretId, policy === 'management' ? 'Initial Management Token' : `${policy} token`);
    if (policy === 'management') token.Policies = [{ ID: GLOBAL_MANAGEMENT_POLICY_ID, Name: 'global-management' }];
    else this.shorthand.set(accessorId, parseAclRules(SHORTHAND_RULES[policy]));
    this.storeToken(token);
    return accessorId;
  }

  /** Grows with every ACL change (the persistence polls it). */
  get revision(): number {
    return this.changes;
  }

  // ---- policies -------------------------------------------------------------------------------------------------

  listPolicies(): AclPolicyRecord[] {
    return [...this.policies.values()].map((p) => ({ ...p }));
  }

  policy(id: string): AclPolicyRecord | undefined {
    const found = this.policies.get(id);
    return found && { ...found };
  }

  policyByName(name: string): AclPolicyRecord | undefined {
    const found = [...this.policies.values()].find((p) => p.Name === name);
    return found && { ...found };
  }

  /** `PUT /v1/acl/policy` (no id) or `PUT /v1/acl/policy/:id`. */
  setPolicy(input: { ID?: string; Name?: string; Description?: string; Rules?: string; Datacenters?: string[] }, id?: string): AclPolicyRecord {
    const name = input.Name ?? '';
    if (!POLICY_NAME.test(name)) throw new AclTableError(500, 'Invalid Policy: invalid Name. Only alphanumeric characters, \'-\' and \'_\' are allowed');
    try {
      parseAclRules(input.Rules ?? '');
    } catch (error) {
      throw new AclTableError(500, `Invalid Policy: ${(error as Error).message}`);
    }
    const clash = [...this.policies.values()].find((p) => p.Name === name && p.ID !== id);
    if (clash) throw new AclTableError(500, `Invalid Policy: A Policy with Name ${JSON.stringify(name)} already exists`);
    const current = id === undefined ? undefined : this.policies.get(id);
    if (id !== undefined && !current) throw new AclTableError(500, `cannot find policy ${id}`);
    if (current?.ID === GLOBAL_MANAGEMENT_POLICY_ID) throw new AclTableError(500, 'Changing the Rules for the builtin global-management policy is not permitted');
    this.index += 1;
    const record: AclPolicyRecord = {
      ID: current?.ID ?? randomUUID(),
      Name: name,
      Description: input.Description ?? '',
      Rules: input.Rules ?? '',
      ...(input.Datacenters?.length ? { Datacenters: input.Datacenters } : {}),
      CreateIndex: current?.CreateIndex ?? this.index,
      ModifyIndex: this.index,
    };
    this.policies.set(record.ID, record);
    // Tokens show their policies' names: keep them current.
    for (const token of this.tokens.values()) for (const link of token.Policies) if (link.ID === record.ID) link.Name = record.Name;
    this.changes += 1;
    return { ...record };
  }

  // ---- tokens ---------------------------------------------------------------------------------------------------

  listTokens(): AclTokenRecord[] {
    return [...this.tokens.values()].map(copyToken);
  }

  token(accessorId: string): AclTokenRecord | undefined {
    const found = this.tokens.get(accessorId);
    return found && copyToken(found);
  }

  tokenBySecret(secretId: string): AclTokenRecord | undefined {
    const accessor = this.bySecret.get(secretId);
    return accessor === undefined ? undefined : this.token(accessor);
  }

  /**
   * `PUT /v1/acl/token` (create; a given AccessorID and SecretID are kept, as Consul 1.5+ allows) or
   * `PUT /v1/acl/token/:accessor` (update; the SecretID cannot change).
   */
  setToken(
    input: {
      AccessorID?: string;
      SecretID?: string;
      Description?: string;
      Policies?: Array<{ ID?: string; Name?: string }>;
      ServiceIdentities?: Array<{ ServiceName?: string; Datacenters?: string[] }>;
      NodeIdentities?: Array<{ NodeName?: string; Datacenter?: string }>;
      Local?: boolean;
    },
    create: boolean,
  ): AclTokenRecord {
    const policies = (input.Policies ?? []).map((link) => {
      const found = link.ID ? this.policies.get(link.ID) : [...this.policies.values()].find((p) => p.Name === link.Name);
      if (!found) throw new AclTableError(500, `cannot find policy ${link.ID ?? link.Name ?? ''}`);
      return { ID: found.ID, Name: found.Name };
    });
    const identities = (input.ServiceIdentities ?? []).map((identity) => {
      const name = identity.ServiceName ?? '';
      if (!SERVICE_NAME.test(name)) throw new AclTableError(500, `Service identity "${name}" has an invalid name. Only lowercase alphanumeric characters, '-' and '_' are allowed`);
      return { ServiceName: name, ...(identity.Datacenters?.length ? { Datacenters: identity.Datacenters } : {}) };
    });
    const nodeIdentities = (input.NodeIdentities ?? []).map((identity) => {
      const name = identity.NodeName ?? '';
      if (!SERVICE_NAME.test(name)) throw new AclTableError(500, `Node identity "${name}" has an invalid name. Only lowercase alphanumeric characters, '-' and '_' are allowed`);
      if (!identity.Datacenter) throw new AclTableError(500, 'Node identity is missing the datacenter field on this token');
      return { NodeName: name, Datacenter: identity.Datacenter };
    });
    if (create) {
      const accessorId = input.AccessorID || randomUUID();
      const secretId = input.SecretID || randomUUID();
      for (const [id, label] of [[accessorId, 'AccessorID'], [secretId, 'SecretID']] as const) {
        if (!UUID.test(id)) throw new AclTableError(500, `Invalid Token: ${label} is not a valid UUID`);
        if (id.startsWith(RESERVED_PREFIX)) throw new AclTableError(500, `Invalid Token: ${label} uses a reserved value`);
      }
      if (this.tokens.has(accessorId) || this.bySecret.has(accessorId)) throw new AclTableError(500, 'Invalid Token: AccessorID is already in use');
      if (this.bySecret.has(secretId) || this.tokens.has(secretId)) throw new AclTableError(500, 'Invalid Token: SecretID is already in use');
      const token = this.newToken(accessorId, secretId, input.Description ?? '');
      token.Policies = policies;
      if (identities.length) token.ServiceIdentities = identities;
      if (nodeIdentities.length) token.NodeIdentities = nodeIdentities;
      token.Local = input.Local ?? false;
      this.storeToken(token);
      return copyToken(token);
    }
    const current = input.AccessorID ? this.tokens.get(input.AccessorID) : undefined;
    if (!current) throw new AclTableError(500, 'Cannot find token to update');
    if (input.SecretID && input.SecretID !== current.SecretID) throw new AclTableError(500, 'Changing a token\'s SecretID is not permitted');
    this.index += 1;
    current.Description = input.Description ?? current.Description;
    current.Policies = policies;
    if (identities.length) current.ServiceIdentities = identities;
    else delete current.ServiceIdentities;
    if (nodeIdentities.length) current.NodeIdentities = nodeIdentities;
    else delete current.NodeIdentities;
    current.ModifyIndex = this.index;
    this.changes += 1;
    return copyToken(current);
  }

  /**
   * A newly bootstrapped datacenter's ACL state: no policy but the builtin one, no token but the initial management
   * tokens of the servers' configuration (Consul creates that token when it bootstraps ACLs).
   */
  reset(): void {
    for (const id of [...this.policies.keys()]) if (id !== GLOBAL_MANAGEMENT_POLICY_ID) this.policies.delete(id);
    this.tokens.clear();
    this.bySecret.clear();
    this.shorthand.clear();
    this.index = 0;
    this.changes += 1;
    for (const secret of this.configured) this.addToken(secret, 'management');
  }

  // ---- persistence ----------------------------------------------------------------------------------------------

  /** Every policy and token, secrets included. Shorthand tokens are saved as tokens with rules of their own. */
  exportAcl(): SavedAcl {
    const shorthand = [...this.shorthand.keys()].map((accessorId) => ({
      accessorId,
      policy: (this.tokens.get(accessorId)?.Description.startsWith('read') ? 'read' : 'write') as 'read' | 'write',
    }));
    return { policies: this.listPolicies().filter((p) => p.ID !== GLOBAL_MANAGEMENT_POLICY_ID), tokens: this.listTokens(), shorthand };
  }

  /** Adds saved policies and tokens with their IDs. */
  importAcl(saved: SavedAcl): void {
    for (const policy of saved.policies) this.policies.set(policy.ID, { ...policy });
    for (const token of saved.tokens) {
      this.storeToken(copyToken(token));
      if (token.Description === 'Initial Management Token') this.configured.add(token.SecretID);
    }
    for (const entry of saved.shorthand ?? []) this.shorthand.set(entry.accessorId, parseAclRules(SHORTHAND_RULES[entry.policy]));
    this.index = Math.max(this.index, ...saved.policies.map((p) => p.ModifyIndex), ...saved.tokens.map((t) => t.ModifyIndex));
  }

  /**
   * `PUT /v1/snapshot`: the ACL tables become the snapshot's (policies and tokens with their IDs and secrets); the
   * servers' configured initial management tokens stay valid, as Consul re-ensures `initial_management` whenever a
   * leader establishes itself.
   */
  replaceAcl(saved: SavedAcl): void {
    for (const id of [...this.policies.keys()]) if (id !== GLOBAL_MANAGEMENT_POLICY_ID) this.policies.delete(id);
    this.tokens.clear();
    this.bySecret.clear();
    this.shorthand.clear();
    this.index = 0;
    for (const policy of saved.policies) this.policies.set(policy.ID, { ...policy });
    for (const token of saved.tokens) this.storeToken(copyToken(token));
    for (const entry of saved.shorthand ?? []) this.shorthand.set(entry.accessorId, parseAclRules(SHORTHAND_RULES[entry.policy]));
    this.index = Math.max(0, ...saved.policies.map((p) => p.ModifyIndex), ...saved.tokens.map((t) => t.ModifyIndex));
    this.changes += 1;
    for (const secret of this.configured) this.addToken(secret, 'management');
  }

  // ---- resolution -----------------------------------------------------------------------------------------------

  /** Resolve a secret ("" = no token sent). Unknown secrets are refused with `ACL not found`. */
  resolve(secretId: string): Authorizer {
    if (!this.settings.enabled) return new Authorizer('acl-disabled');
    if (secretId === '') return new Authorizer({ accessorId: ANONYMOUS_ACCESSOR_ID, management: false });
    const accessor = this.bySecret.get(secretId);
    const token = accessor === undefined ? undefined : this.tokens.get(accessor);
    if (!token) throw forbidden('ACL not found');
    const management = token.Policies.some((p) => p.ID === GLOBAL_MANAGEMENT_POLICY_ID);
    if (management) return new Authorizer({ accessorId: token.AccessorID, management });
    const rules: AclRules[] = [];
    for (const link of token.Policies) {
      const policy = this.policies.get(link.ID);
      // A deleted policy no longer grants anything; rules were validated when written.
      if (policy) rules.push(parseAclRules(policy.Rules));
    }
    for (const identity of token.ServiceIdentities ?? []) rules.push(serviceIdentityRules(identity.ServiceName));
    // The emulator is one datacenter: a node identity's Datacenter is recorded, not matched.
    for (const identity of token.NodeIdentities ?? []) rules.push(nodeIdentityRules(identity.NodeName));
    const shorthand = this.shorthand.get(token.AccessorID);
    if (shorthand) rules.push(shorthand);
    return new Authorizer({ accessorId: token.AccessorID, management, rules: mergeAclRules(rules) });
  }

  /**
   * `DELETE /v1/acl/token/:accessor`. Consul refuses to delete the anonymous token and the token the request is made
   * with; a token that does not exist is deleted already (Consul answers `true`).
   */
  deleteToken(accessorId: string, requestSecret: string): void {
    if (accessorId === ANONYMOUS_ACCESSOR_ID) throw new AclTableError(400, 'Delete operation not permitted on the anonymous token');
    const found = this.tokens.get(accessorId);
    if (!found) return;
    if (found.SecretID === requestSecret) throw new AclTableError(400, 'Deletion of the request\'s authorization token is not permitted');
    this.tokens.delete(accessorId);
    this.bySecret.delete(found.SecretID);
    this.shorthand.delete(accessorId);
    this.changes += 1;
  }

  private newToken(accessorId: string, secretId: string, description: string): AclTokenRecord {
    this.index += 1;
    return {
      AccessorID: accessorId,
      SecretID: secretId,
      Description: description,
      Policies: [],
      Local: false,
      CreateTime: new Date().toISOString(),
      CreateIndex: this.index,
      ModifyIndex: this.index,
    };
  }

  private storeToken(token: AclTokenRecord): void {
    this.tokens.set(token.AccessorID, token);
    this.bySecret.set(token.SecretID, token.AccessorID);
    this.changes += 1;
  }
}

function copyToken(token: AclTokenRecord): AclTokenRecord {
  return {
    ...token,
    Policies: token.Policies.map((p) => ({ ...p })),
    ...(token.ServiceIdentities ? { ServiceIdentities: token.ServiceIdentities.map((s) => ({ ...s })) } : {}),
    ...(token.NodeIdentities ? { NodeIdentities: token.NodeIdentities.map((n) => ({ ...n })) } : {}),
  };
}
