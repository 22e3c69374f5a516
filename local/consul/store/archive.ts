/**
 * The emulator's snapshot archive (`GET /v1/snapshot`, `PUT /v1/snapshot`): the whole Raft state (catalog, KV with
 * its tombstones, config entries, the indexes), the ACL policies and tokens, and the cluster peerings with their
 * secrets, at one Raft index.
 *
 * Consul's own archive is a gzipped tar (meta.json, state.bin, SHA256SUMS) that clients must treat as opaque; this
 * one is opaque the same way: gzipped JSON whose payload is covered by a SHA-256 that a restore verifies, so a
 * truncated or altered archive is refused instead of half-applied.
 */
import { createHash } from 'node:crypto';
import { gunzipSync, gzipSync } from 'node:zlib';
import type { SavedAcl } from '../acl';
import type { SavedPeerings } from '../peering/service';
import type { SavedConsulState } from './saved-state';

const FORMAT = 'consul-local-snapshot/1';

/** What an archive holds once read. */
export interface ArchiveContents {
  /** The Raft index the state was taken at. */
  readonly index: number;
  readonly state: SavedConsulState;
  readonly acl: SavedAcl;
  /** The cluster peerings with their secrets, as Consul's snapshots carry them (absent in older archives). */
  readonly peerings?: SavedPeerings;
}

/** Thrown for an archive that cannot be read or whose checksum does not match. */
export class ArchiveError extends Error {
  override readonly name = 'ArchiveError';
}

export function writeArchive(contents: ArchiveContents): Buffer {
  const payload = JSON.stringify({ state: contents.state, acl: contents.acl, ...(contents.peerings ? { peerings: contents.peerings } : {}) });
  const sha256 = createHash('sha256').update(payload).digest('hex');
  const meta = { ID: `1-${contents.index}-${Date.now()}`, Index: contents.index, Term: 1, Version: 1 };
  return gzipSync(JSON.stringify({ format: FORMAT, meta, sha256, payload }));
}

export function readArchive(archive: Buffer): ArchiveContents {
  let document: { format?: unknown; meta?: { Index?: unknown }; sha256?: unknown; payload?: unknown };
  try {
    document = JSON.parse(gunzipSync(archive).toString('utf8')) as typeof document;
  } catch (error) {
    throw new ArchiveError(`failed to read snapshot archive: ${(error as Error).message}`, { cause: error });
  }
  if (document.format !== FORMAT || typeof document.payload !== 'string' || typeof document.meta?.Index !== 'number') {
    throw new ArchiveError('failed to read snapshot archive: not a snapshot');
  }
  if (createHash('sha256').update(document.payload).digest('hex') !== document.sha256) {
    throw new ArchiveError('failed to read snapshot archive: SHA256 hash mismatch');
  }
  const { state, acl, peerings } = JSON.parse(document.payload) as { state: SavedConsulState; acl: SavedAcl; peerings?: SavedPeerings };
  return { index: document.meta.Index, state, acl, ...(peerings ? { peerings } : {}) };
}
