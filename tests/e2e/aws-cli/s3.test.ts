/**
 * The local S3 driven by the real AWS CLI: `aws s3 mb/cp/ls/rm` (the high-level commands, through s3transfer) and
 * `aws s3api` calls, path-style against the endpoint, SigV4 as the CLI signs it.
 */
import { createHash } from 'node:crypto';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { z } from 'zod';
import { S3Provider } from '@consul-mesh/local-cloud';
import { serviceErrorOf, SERVICE_ERROR_EXIT_CODES } from './cli';
import { startCliCloud, type CliCloud } from './local-cloud';

let cloud: CliCloud;
let s3: S3Provider;

beforeAll(async () => {
  s3 = new S3Provider();
  cloud = await startCliCloud([], undefined, s3);
});

afterAll(async () => {
  await cloud?.close();
});

/** `aws s3 ...` prints text. */
const TEXT = { text: true };
const md5 = (bytes: Buffer | string) => `"${createHash('md5').update(bytes).digest('hex')}"`;

describe('aws s3 against the local S3', () => {
  const content = Buffer.from(`${'context bytes\n'.repeat(1000)}`);

  it('makes a bucket, copies a file in and lists it', async () => {
    const made = await cloud.cli.run(['s3', 'mb', 's3://build-sources'], TEXT);
    expect(made.exitCode).toBe(0);
    const file = join(cloud.cli.dir, 'ctx.zip');
    writeFileSync(file, content);

    const copied = await cloud.cli.run(['s3', 'cp', file, 's3://build-sources/contexts/abc.zip'], TEXT);
    expect(copied.exitCode).toBe(0);
    expect(s3.store.getObject('build-sources', 'contexts/abc.zip').body.equals(content)).toBe(true);

    const listed = await cloud.cli.run(['s3', 'ls', 's3://build-sources/contexts/'], TEXT);
    expect(listed.exitCode).toBe(0);
    expect(listed.stdout).toMatch(new RegExp(`\\s${content.length} abc\\.zip\\n`));
    const top = await cloud.cli.run(['s3', 'ls', 's3://build-sources/'], TEXT);
    expect(top.stdout).toContain('PRE contexts/');
  });

  it('copies the object back out byte for byte', async () => {
    const out = join(cloud.cli.dir, 'back.zip');
    const copied = await cloud.cli.run(['s3', 'cp', 's3://build-sources/contexts/abc.zip', out], TEXT);
    expect(copied.exitCode).toBe(0);
    expect(readFileSync(out).equals(content)).toBe(true);
  });

  it('head-object reports the ETag and length', async () => {
    const head = z.object({ ETag: z.string(), ContentLength: z.number(), LastModified: z.string() }).parse(
      await cloud.cli.ok(['s3api', 'head-object', '--bucket', 'build-sources', '--key', 'contexts/abc.zip']),
    );
    expect(head).toMatchObject({ ETag: md5(content), ContentLength: content.length });
  });

  it('head-object of a missing key fails with 404 Not Found', async () => {
    const result = await cloud.cli.fail(['s3api', 'head-object', '--bucket', 'build-sources', '--key', 'contexts/none.zip']);
    expect(SERVICE_ERROR_EXIT_CODES).toContain(result.exitCode);
    expect(result.stderr).toContain('(404)');
  });

  it('get-object of a missing key fails with NoSuchKey', async () => {
    const result = await cloud.cli.fail(['s3api', 'get-object', '--bucket', 'build-sources', '--key', 'contexts/none.zip', join(cloud.cli.dir, 'x')]);
    expect(serviceErrorOf(result)).toMatchObject({ code: 'NoSuchKey', operation: 'GetObject' });
  });

  it('put-object and list-objects-v2 through s3api', async () => {
    const put = z.object({ ETag: z.string() }).parse(await cloud.cli.ok(['s3api', 'put-object', '--bucket', 'build-sources', '--key', 'notes/a.txt', '--body', cloud.cli.fileRef('a.txt', 'hello').slice('file://'.length)]));
    expect(put.ETag).toBe(md5('hello'));
    const listed = z
      .object({ Contents: z.array(z.object({ Key: z.string(), Size: z.number(), ETag: z.string() })) })
      .parse(await cloud.cli.ok(['s3api', 'list-objects-v2', '--bucket', 'build-sources', '--prefix', 'notes/']));
    expect(listed.Contents).toEqual([expect.objectContaining({ Key: 'notes/a.txt', Size: 5, ETag: md5('hello') })]);
  });

  it('a missing bucket is NoSuchBucket', async () => {
    const result = await cloud.cli.fail(['s3', 'ls', 's3://no-such-bucket/'], TEXT);
    expect(result.stderr).toContain('NoSuchBucket');
  });

  it('removes an object', async () => {
    expect((await cloud.cli.run(['s3', 'rm', 's3://build-sources/notes/a.txt'], TEXT)).exitCode).toBe(0);
    expect(s3.store.findObject('build-sources', 'notes/a.txt')).toBeUndefined();
  });
});
