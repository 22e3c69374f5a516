/**
 * The gossip encryption keyring of the emulated server cluster (https://developer.hashicorp.com/consul/commands/keyring,
 * https://developer.hashicorp.com/consul/api-docs/operator/keyring).
 *
 * Each member (a running Consul server task, `ip:8300`) holds its own keyring: the keys it can decrypt with, one of
 * them primary (the one it encrypts with). A member starts with the single key of its `encrypt` setting, which ECS
 * injected from SSM when the task started. The operator API acts on every member at once, as serf's key manager
 * broadcasts it: install adds a key everywhere, use makes an installed key primary everywhere (refused unless every
 * member has it), remove drops a key everywhere (refused for a primary key). A member that joins with a key no other
 * member has installed cannot decrypt the cluster's gossip: the list then shows two primary keys, which is the
 * "members distrust each other" state a rotation must never create.
 */

/** A keyring operation Consul refuses, with the HTTP status and message it answers. */
export class KeyringError extends Error {
  constructor(
    readonly status: number,
    message: string,
  ) {
    super(message);
    this.name = 'KeyringError';
  }
}

/** One ring of `GET /v1/operator/keyring`, in Consul's shape (`api.KeyringResponse`). */
export interface KeyringResponse {
  WAN: boolean;
  Datacenter: string;
  Segment: string;
  Messages: Record<string, string>;
  Keys: Record<string, number>;
  PrimaryKeys: Record<string, number>;
  NumNodes: number;
}

interface MemberKeys {
  keys: Set<string>;
  primary: string;
}

/** A gossip key is 16, 24 or 32 bytes, base64 (AES-128/192/256), as `consul keygen` prints it. */
export function validGossipKey(key: string): boolean {
  if (!/^[A-Za-z0-9+/]+={0,2}$/.test(key)) return false;
  return [16, 24, 32].includes(Buffer.from(key, 'base64').length);
}

export class GossipKeyring {
  private readonly members = new Map<string, MemberKeys>();

  /** A server task started with `key` as its `encrypt` setting (undefined: gossip encryption off). */
  join(member: string, key: string | undefined): void {
    if (key === undefined || key === '') {
      this.members.delete(member);
      return;
    }
    this.members.set(member, { keys: new Set([key]), primary: key });
  }

  /** Forgets members that no longer run (their task stopped): `running` are the peers now. */
  retain(running: readonly string[]): void {
    const keep = new Set(running);
    for (const member of [...this.members.keys()]) if (!keep.has(member)) this.members.delete(member);
  }

  /** The LAN and WAN rings (kept in lock-step, as Consul's servers do). */
  list(datacenter: string): KeyringResponse[] {
    const keys: Record<string, number> = {};
    const primaries: Record<string, number> = {};
    for (const member of this.members.values()) {
      for (const key of member.keys) keys[key] = (keys[key] ?? 0) + 1;
      primaries[member.primary] = (primaries[member.primary] ?? 0) + 1;
    }
    const ring = (wan: boolean): KeyringResponse => ({
      WAN: wan,
      Datacenter: datacenter,
      Segment: '',
      Messages: {},
      Keys: { ...keys },
      PrimaryKeys: { ...primaries },
      NumNodes: this.members.size,
    });
    return [ring(true), ring(false)];
  }

  install(key: string): void {
    this.requireEncryption();
    if (!validGossipKey(key)) throw new KeyringError(500, `1 error occurred:\n\t* Invalid key: key size must be 16, 24 or 32 bytes`);
    for (const member of this.members.values()) member.keys.add(key);
  }

  use(key: string): void {
    this.requireEncryption();
    const missing = [...this.members.entries()].filter(([, m]) => !m.keys.has(key)).map(([name]) => name);
    if (missing.length > 0) throw new KeyringError(500, `${missing.length} error(s) occurred:\n${missing.map((m) => `\t* ${m}: Requested key is not in the keyring`).join('\n')}`);
    for (const member of this.members.values()) member.primary = key;
  }

  remove(key: string): void {
    this.requireEncryption();
    const primaryOn = [...this.members.entries()].filter(([, m]) => m.primary === key).map(([name]) => name);
    if (primaryOn.length > 0) throw new KeyringError(500, `${primaryOn.length} error(s) occurred:\n${primaryOn.map((m) => `\t* ${m}: Removing the primary key is not allowed`).join('\n')}`);
    for (const member of this.members.values()) member.keys.delete(key);
  }

  private requireEncryption(): void {
    // An agent without `encrypt` has no keyring: serf refuses key operations.
    if (this.members.size === 0) throw new KeyringError(500, 'Keyring is empty: gossip encryption is not enabled');
  }
}
