import {
  buildTombstone,
  isTombstoneExpired,
  parseTombstone,
  resolveStored,
  storedFromCatalog,
  TOMBSTONE_TTL_SECONDS,
  type StoredRegistration,
} from '../../../layers/domain/registration';
import { referenceSpec } from '../ecs/support';
import { taskOf } from './support';

describe('stored registrations', () => {
  it('reads version, address and status back from a catalog entry (agent and catalog field names)', () => {
    expect(storedFromCatalog({ Address: '10.0.1.139', Meta: { 'task-version': '4', 'task-arn': 'arn:t' } }, 'passing')).toEqual({
      state: 'registered',
      version: 4,
      address: '10.0.1.139',
      status: 'passing',
      taskArn: 'arn:t',
    });
    expect(storedFromCatalog({ Address: '127.0.0.1', ServiceAddress: '10.0.1.7', ServiceMeta: { 'task-version': '9' } }, 'warning')).toMatchObject({ version: 9, address: '10.0.1.7', status: 'critical' });
  });

  it('treats an entry without a readable version as version 0, so any event supersedes it', () => {
    expect(storedFromCatalog({ Address: '10.0.0.1', Meta: { 'task-version': 'abc' } }, undefined).version).toBe(0);
    expect(storedFromCatalog({ Address: '10.0.0.1', Meta: null }, undefined).version).toBe(0);
  });

  it('round-trips a tombstone and ignores malformed ones', () => {
    const tombstone = buildTombstone(referenceSpec(), taskOf('task-stopped'), 'stopped', new Date('2026-11-24T10:22:00Z'));
    expect(tombstone.key).toBe('consul-mesh/reference-mesh/tombstones/cluster-1/4f9a1c2b8e7d4a6f9b0c1d2e3f4a5b6c');
    expect(parseTombstone(JSON.stringify(tombstone.value))).toEqual(tombstone.value);
    expect(parseTombstone('{not json')).toBeUndefined();
    expect(parseTombstone('{"state":"registered"}')).toBeUndefined();
    expect(parseTombstone(null)).toBeUndefined();
  });

  it('expires tombstones after the TTL', () => {
    const { value } = buildTombstone(referenceSpec(), taskOf('task-stopped'), 'stopped', new Date('2026-11-24T10:00:00Z'));
    expect(isTombstoneExpired(value, new Date('2026-11-25T09:59:59Z'))).toBe(false);
    expect(isTombstoneExpired(value, new Date('2026-11-25T10:00:01Z'))).toBe(true);
    expect(TOMBSTONE_TTL_SECONDS).toBeGreaterThan(6 * 60 * 60);
  });

  it('lets a tombstone win over a catalog entry', () => {
    const registered: StoredRegistration = { state: 'registered', version: 4, address: '10.0.1.139', status: 'passing' };
    const { value } = buildTombstone(referenceSpec(), taskOf('task-stopped'), 'stopped', new Date('2026-11-24T10:22:00Z'));
    expect(resolveStored(registered, value)).toEqual({ state: 'deregistered', version: 8, taskArn: value.taskArn, reason: 'stopped' });
    expect(resolveStored(registered, undefined)).toBe(registered);
    expect(resolveStored(undefined, undefined)).toBeUndefined();
  });
});
