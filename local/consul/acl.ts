import { randomUUID } from 'node:crypto';
import { forbidden } from './errors';

/**
 * Consul's ACL system, reduced to three policies: `read` (every `*:read` and `key:list`), `write` (reads plus every
 * `*:write` except ACL management) and `management` (everything, like the bootstrap token).
 *
 * As Consul answers: an unknown secret fails token resolution with 403 `ACL not found`; a request without a token
 * runs as the anonymous token, which under `default_policy = "deny"` holds no permission, so it gets 403
 * `Permission denied: anonymous token lacks permission '<resource>:<level>' on "<name>"`.
 */

export type AclPolicy = 'read' | 'write' | 'management';
export type AclResource = 'acl' | 'agent' | 'intentions' | 'key' | 'node' | 'operator' | 'service';
export type AccessLevel = 'read' | 'list' | 'write';

export interface AclSettings {
  enabled: boolean;
  /** The secret of a token with the management policy (Consul's bootstrap / `initial_management` token). */
  managementToken?: string;
}

/** Consul's well-known accessor ID of the anonymous token. */
export const ANONYMOUS_ACCESSOR_ID = '00000000-0000-0000-0000-000000000002';

interface ResolvedToken {
  readonly accessorId: string;
  readonly policy: AclPolicy | 'none';
}

/** What one request may do. */
export class Authorizer {
  constructor(private readonly token: ResolvedToken | 'acl-disabled') {}

  allowed(resource: AclResource, level: AccessLevel): boolean {
    if (this.token === 'acl-disabled') return true;
    switch (this.token.policy) {
      case 'management':
        return true;
      case 'write':
        return resource !== 'acl';
      case 'read':
        return resource !== 'acl' && level !== 'write';
      default:
        return false;
    }
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
    if (!this.allowed(resource, level)) throw forbidden(this.denial(resource, level, name));
  }
}

/** A token as the local cloud's persistence saves it. */
export interface SavedAclToken {
  readonly secretId: string;
  readonly accessorId: string;
  readonly policy: AclPolicy;
}

/** The token table and the resolution of a request's secret. */
export class AclResolver {
  private readonly tokens = new Map<string, ResolvedToken>();
  private changes = 0;

  constructor(private readonly settings: AclSettings = { enabled: false }) {
    if (settings.managementToken) this.addToken(settings.managementToken, 'management');
  }

  get enabled(): boolean {
    return this.settings.enabled;
  }

  /** Register a token; returns its accessor ID (the public half Consul shows in denials). */
  addToken(secretId: string, policy: AclPolicy): string {
    const accessorId = randomUUID();
    this.tokens.set(secretId, { accessorId, policy });
    this.changes += 1;
    return accessorId;
  }

  /** Grows with every token added (the persistence polls it). */
  get revision(): number {
    return this.changes;
  }

  /** Every token, secret included (Consul keeps them in its Raft state too). */
  exportTokens(): SavedAclToken[] {
    const saved: SavedAclToken[] = [];
    for (const [secretId, token] of this.tokens) {
      if (token.policy !== 'none') saved.push({ secretId, accessorId: token.accessorId, policy: token.policy });
    }
    return saved;
  }

  /** Adds saved tokens with their accessor IDs. */
  importTokens(saved: readonly SavedAclToken[]): void {
    for (const token of saved) this.tokens.set(token.secretId, { accessorId: token.accessorId, policy: token.policy });
    this.changes += 1;
  }

  /** Resolve a secret ("" = no token sent). Unknown secrets are refused with `ACL not found`. */
  resolve(secretId: string): Authorizer {
    if (!this.settings.enabled) return new Authorizer('acl-disabled');
    if (secretId === '') return new Authorizer({ accessorId: ANONYMOUS_ACCESSOR_ID, policy: 'none' });
    const token = this.tokens.get(secretId);
    if (!token) throw forbidden('ACL not found');
    return new Authorizer(token);
  }
}
