/**
 * The data directory's files: written in the background within about half a second of a change, one valid file
 * per service on stop; a missing file is an empty service, a truncated or invalid one stops the start with an
 * error naming it, and `resetData` (`--reset`) discards the saved state instead.
 */
import { createHash } from 'node:crypto';
import { existsSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { GetParameterCommand, PutParameterCommand } from '@aws-sdk/client-ssm';
import type { LocalCloud } from '../../../../local/cloud';
import { PersistedStateError } from '../../../../local/persistence/errors';
import { LOCAL_STATE_FORMATS } from '../../../../local/persistence/local-state';
import { clientsFor, startPersistentCloud, tempDir, waitFor } from './harness';

const FILES = ['codebuild.json', 'consul.json', 'ecr.json', 'ecs.json', 'events.json', 's3.json', 'ssm.json', 'stepfunctions.json'];
const dir = tempDir('local-cloud-files-');
const ssmFile = join(dir.path, 'ssm.json');
let cloud: LocalCloud | undefined;

afterEach(async () => {
  await cloud?.stop();
  cloud = undefined;
});
afterAll(() => dir.remove());

async function putParameter(target: LocalCloud, name: string): Promise<void> {
  const clients = clientsFor(target);
  try {
    await clients.ssm.send(new PutParameterCommand({ Name: name, Type: 'String', Value: 'v' }));
  } finally {
    clients.destroy();
  }
}

/** The start's failure, which must be the persistence error. */
async function startFailure(): Promise<PersistedStateError> {
  try {
    cloud = await startPersistentCloud(dir.path);
  } catch (error) {
    if (error instanceof PersistedStateError) return error;
    throw error;
  }
  throw new Error('the local cloud started');
}

it('starts empty from a new directory and saves a change in the background, without a stop', async () => {
  cloud = await startPersistentCloud(dir.path);
  await putParameter(cloud, '/files/background');

  const saved = await waitFor('ssm.json to hold the parameter', () =>
    existsSync(ssmFile) && readFileSync(ssmFile, 'utf8').includes('/files/background') ? JSON.parse(readFileSync(ssmFile, 'utf8')) : undefined,
  );

  expect(saved).toMatchObject({ service: 'ssm', version: 1, data: { regions: { 'us-east-1': [{ name: '/files/background' }] } } });
  expect(Date.parse(saved.savedAt)).not.toBeNaN();
  await cloud.stop();
  cloud = undefined;
  expect(readdirSync(dir.path).sort()).toEqual(FILES);
  expect(LOCAL_STATE_FORMATS.map((format) => format.file).sort()).toEqual(FILES);
});

it('refuses to start from a file truncated mid-write, naming the file', async () => {
  const text = readFileSync(ssmFile, 'utf8');
  writeFileSync(ssmFile, text.slice(0, Math.floor(text.length / 2)));

  const error = await startFailure();

  expect(error.file).toBe(ssmFile);
  expect(error.message).toContain(ssmFile);
  expect(error.message).toMatch(/not valid JSON/);
  expect(error.message).toContain('--reset');
  // Nothing was overwritten: the damaged file is still there for inspection.
  expect(readFileSync(ssmFile, 'utf8')).toBe(text.slice(0, Math.floor(text.length / 2)));
});

it('refuses a file whose content does not have the saved shape, naming the file and the member', async () => {
  writeFileSync(ssmFile, JSON.stringify({ service: 'ssm', version: 1, savedAt: new Date().toISOString(), data: { regions: { 'us-east-1': [{ name: '/x', versions: [{ version: 1 }], tags: [] }] } } }));

  const error = await startFailure();

  expect(error.message).toContain(ssmFile);
  expect(error.message).toContain('data.regions.us-east-1[0].versions[0].type');
});

it('refuses a file of another format version', async () => {
  writeFileSync(ssmFile, JSON.stringify({ service: 'ssm', version: 99, savedAt: new Date().toISOString(), data: { regions: {} } }));

  const error = await startFailure();

  expect(error.message).toContain('its format version is 99; this build reads version 1');
});

it('refuses data the service cannot take back, naming the file, and leaves the file as it was', async () => {
  const ecsFile = join(dir.path, 'ecs.json');
  writeFileSync(ssmFile, JSON.stringify({ service: 'ssm', version: 1, savedAt: new Date().toISOString(), data: { regions: {} } }));
  // Revision 2 without a revision 1: valid in shape, impossible for ECS (revisions are numbered from 1).
  const definition = {
    family: 'web',
    revision: 2,
    arn: 'arn:aws:ecs:us-east-1:000000000000:task-definition/web:2',
    status: 'ACTIVE',
    containerDefinitions: [{ name: 'web', image: 'registry.local/web:1', essential: true }],
    networkMode: 'awsvpc',
    requiresCompatibilities: ['FARGATE'],
    extra: {},
    tags: [],
    registeredAt: 1,
  };
  const text = JSON.stringify({ service: 'ecs', version: 1, savedAt: new Date().toISOString(), data: { regions: { 'us-east-1': { clusters: [], taskDefinitions: [definition], services: [] } } } });
  writeFileSync(ecsFile, text);

  const error = await startFailure();

  expect(error.file).toBe(ecsFile);
  expect(error.message).toContain('revisions are not numbered 1..1');
  expect(readFileSync(ecsFile, 'utf8')).toBe(text);
});

it('starts empty with resetData, discarding the saved state', async () => {
  cloud = await startPersistentCloud(dir.path, { resetData: true });
  const clients = clientsFor(cloud);
  try {
    await expect(clients.ssm.send(new GetParameterCommand({ Name: '/files/background' }))).rejects.toMatchObject({ name: 'ParameterNotFound' });
  } finally {
    clients.destroy();
  }
  await cloud.persistence!.flush();

  const { regions } = JSON.parse(readFileSync(ssmFile, 'utf8')).data as { regions: Record<string, unknown[]> };
  expect(Object.values(regions).flat()).toEqual([]);
});

it('keeps S3 objects (the uploaded build contexts) across a restart, byte for byte', async () => {
  const s3Dir = tempDir('local-cloud-s3-');
  const body = Buffer.from([0, 1, 2, 255, 254, 10]);
  let first: LocalCloud | undefined = await startPersistentCloud(s3Dir.path);
  try {
    const bucket = first.buckets.BuildSourceBucket;
    first.s3.store.putObject(bucket, 'contexts/abc.zip', body, { contentType: 'application/zip', metadata: { 'content-hash': 'abc' } });
    await first.stop();
    first = undefined;
    cloud = await startPersistentCloud(s3Dir.path);
    const restored = cloud.s3.store.getObject(bucket, 'contexts/abc.zip');
    expect(restored.body.equals(body)).toBe(true);
    expect(restored).toMatchObject({ contentType: 'application/zip', metadata: { 'content-hash': 'abc' }, etag: `"${createHash('md5').update(body).digest('hex')}"` });
  } finally {
    await first?.stop();
    await cloud?.stop();
    cloud = undefined;
    s3Dir.remove();
  }
});
