import { createConsulCall, type ConsulClientOptions } from './consul';

/** A snapshot as Consul's `GET /v1/snapshot` returns it: an opaque archive and the Raft index it was taken at. */
export interface ConsulSnapshot {
  archive: Uint8Array;
  index: number;
}

/**
 * Consul's snapshot endpoints (https://developer.hashicorp.com/consul/api-docs/snapshot): save the servers' whole
 * state, restore it. Both need the ACL permission Consul's `SnapshotAllowed` checks, `acl:write` (the docs say
 * "management"): a snapshot holds every token's secret. Failures are the named errors of consul.ts.
 */
export interface ConsulSnapshotApi {
  saveSnapshot(): Promise<ConsulSnapshot>;
  /** Replaces the servers' state with the archive's (a low-level Raft operation: meant for a fresh datacenter). */
  restoreSnapshot(archive: Uint8Array): Promise<void>;
}

export function createConsulSnapshotClient(options: ConsulClientOptions): ConsulSnapshotApi {
  // An archive of a large datacenter takes longer than a KV read: allow more than the default 5 s.
  const call = createConsulCall({ ...options, timeoutMs: options.timeoutMs ?? 20_000 });
  return {
    async saveSnapshot() {
      const response = await call('GET', '/v1/snapshot');
      return { archive: new Uint8Array(await response.arrayBuffer()), index: Number(response.headers.get('X-Consul-Index') ?? 0) };
    },
    async restoreSnapshot(archive) {
      await call('PUT', '/v1/snapshot', archive);
    },
  };
}
