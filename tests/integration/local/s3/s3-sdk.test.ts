/**
 * The local S3 driven by the real SDK v3 client over HTTP, through the SigV4-verifying endpoint: buckets, objects
 * with their ETag and length, listings, S3's XML errors, and the payload forms the SDK sends (a signed hash, a
 * stream in aws-chunked form with a checksum trailer).
 */
import { createHash } from 'node:crypto';
import { Readable } from 'node:stream';
import {
  CreateBucketCommand,
  DeleteObjectCommand,
  GetObjectCommand,
  HeadBucketCommand,
  HeadObjectCommand,
  ListObjectsV2Command,
  PutObjectCommand,
  S3Client,
  S3ServiceException,
} from '@aws-sdk/client-s3';
import { S3Provider } from '../../../../local/aws/s3/provider';
import { startAwsEndpoint, type AwsEndpoint } from '../../../../local/aws/server';

let endpoint: AwsEndpoint;
let s3: S3Provider;
let client: S3Client;

const clientFor = (secretAccessKey = 'test') =>
  new S3Client({ endpoint: endpoint.url, region: 'us-east-1', credentials: { accessKeyId: 'test', secretAccessKey }, maxAttempts: 1 });

async function failureOf(promise: Promise<unknown>): Promise<S3ServiceException> {
  try {
    await promise;
  } catch (error) {
    if (error instanceof S3ServiceException) return error;
    throw error;
  }
  throw new Error('expected the call to fail');
}

beforeAll(async () => {
  s3 = new S3Provider();
  endpoint = await startAwsEndpoint({ port: 0, restProvider: s3, logger: () => undefined });
  client = clientFor();
  await client.send(new CreateBucketCommand({ Bucket: 'build-sources' }));
});

afterAll(async () => {
  client?.destroy();
  await endpoint?.stop();
});

describe('objects through the SDK', () => {
  it('puts an object and reads back its bytes, ETag (MD5), length, type and metadata', async () => {
    const body = Buffer.from('hello, build context\n');
    const put = await client.send(new PutObjectCommand({ Bucket: 'build-sources', Key: 'contexts/a.zip', Body: body, ContentType: 'application/zip', Metadata: { 'content-hash': 'abc' } }));
    const md5 = `"${createHash('md5').update(body).digest('hex')}"`;
    expect(put.ETag).toBe(md5);

    const got = await client.send(new GetObjectCommand({ Bucket: 'build-sources', Key: 'contexts/a.zip' }));
    expect(Buffer.from(await (got.Body as { transformToByteArray(): Promise<Uint8Array> }).transformToByteArray())).toEqual(body);
    expect(got).toMatchObject({ ETag: md5, ContentLength: body.length, ContentType: 'application/zip', Metadata: { 'content-hash': 'abc' } });
    expect(got.LastModified).toBeInstanceOf(Date);

    const head = await client.send(new HeadObjectCommand({ Bucket: 'build-sources', Key: 'contexts/a.zip' }));
    expect(head).toMatchObject({ ETag: md5, ContentLength: body.length });
  });

  it('accepts a streamed body the SDK sends aws-chunked with a checksum trailer', async () => {
    const body = Buffer.alloc(200_000, 'x');
    const seen: unknown[] = [];
    const handle = s3.handle.bind(s3);
    jest.spyOn(s3, 'handle').mockImplementation((request, ctx) => {
      seen.push(request.headers['x-amz-content-sha256']);
      return handle(request, ctx);
    });
    await client.send(new PutObjectCommand({ Bucket: 'build-sources', Key: 'streamed.bin', Body: Readable.from([body.subarray(0, 70_000), body.subarray(70_000)]), ContentLength: body.length }));

    jest.restoreAllMocks();
    expect(seen).toEqual([expect.stringMatching(/^STREAMING-/)]);
    const stored = s3.store.getObject('build-sources', 'streamed.bin');
    expect(stored.body.equals(body)).toBe(true);
  });

  it('keeps a key with spaces and unicode as given', async () => {
    await client.send(new PutObjectCommand({ Bucket: 'build-sources', Key: 'dir/a b+é.txt', Body: 'x' }));
    expect(s3.store.getObject('build-sources', 'dir/a b+é.txt').body.toString()).toBe('x');
    await client.send(new HeadObjectCommand({ Bucket: 'build-sources', Key: 'dir/a b+é.txt' }));
  });

  it('answers a Range request with the bytes asked for (206)', async () => {
    await client.send(new PutObjectCommand({ Bucket: 'build-sources', Key: 'range.txt', Body: '0123456789' }));
    const got = await client.send(new GetObjectCommand({ Bucket: 'build-sources', Key: 'range.txt', Range: 'bytes=2-4' }));
    expect(await got.Body?.transformToString()).toBe('234');
    expect(got.ContentRange).toBe('bytes 2-4/10');
  });

  it('deletes an object, and deleting it again succeeds', async () => {
    await client.send(new PutObjectCommand({ Bucket: 'build-sources', Key: 'gone.txt', Body: 'x' }));
    await client.send(new DeleteObjectCommand({ Bucket: 'build-sources', Key: 'gone.txt' }));
    await client.send(new DeleteObjectCommand({ Bucket: 'build-sources', Key: 'gone.txt' }));
    expect(s3.store.findObject('build-sources', 'gone.txt')).toBeUndefined();
  });
});

describe('errors as S3 answers them', () => {
  it('GetObject of a missing key is NoSuchKey (404) naming the key', async () => {
    const error = await failureOf(client.send(new GetObjectCommand({ Bucket: 'build-sources', Key: 'contexts/missing.zip' })));
    expect(error.name).toBe('NoSuchKey');
    expect(error.$metadata.httpStatusCode).toBe(404);
    expect(error.message).toBe('The specified key does not exist.');
    expect((error as unknown as { Key?: string }).Key).toBe('contexts/missing.zip');
  });

  it('HeadObject of a missing key is a 404 without a body (the SDK names it NotFound)', async () => {
    const error = await failureOf(client.send(new HeadObjectCommand({ Bucket: 'build-sources', Key: 'contexts/missing.zip' })));
    expect(error.name).toBe('NotFound');
    expect(error.$metadata.httpStatusCode).toBe(404);
  });

  it('a missing bucket is NoSuchBucket for objects and listings, NotFound for HeadBucket', async () => {
    expect((await failureOf(client.send(new PutObjectCommand({ Bucket: 'no-such-bucket', Key: 'k', Body: 'x' })))).name).toBe('NoSuchBucket');
    expect((await failureOf(client.send(new ListObjectsV2Command({ Bucket: 'no-such-bucket' })))).name).toBe('NoSuchBucket');
    const head = await failureOf(client.send(new HeadBucketCommand({ Bucket: 'no-such-bucket' })));
    expect(head.$metadata.httpStatusCode).toBe(404);
  });

  it('a bad bucket name is InvalidBucketName', async () => {
    expect((await failureOf(client.send(new CreateBucketCommand({ Bucket: 'Bad_Name' })))).name).toBe('InvalidBucketName');
  });

  it('a wrong secret is SignatureDoesNotMatch (403)', async () => {
    const wrong = clientFor('not-the-secret');
    const error = await failureOf(wrong.send(new GetObjectCommand({ Bucket: 'build-sources', Key: 'contexts/a.zip' })));
    wrong.destroy();
    expect(error.name).toBe('SignatureDoesNotMatch');
    expect(error.$metadata.httpStatusCode).toBe(403);
  });

  it('HeadBucket of an existing bucket succeeds and says its region', async () => {
    const head = await client.send(new HeadBucketCommand({ Bucket: 'build-sources' }));
    expect(head.BucketRegion).toBe('us-east-1');
  });
});

describe('ListObjectsV2', () => {
  beforeAll(async () => {
    await client.send(new CreateBucketCommand({ Bucket: 'listing' }));
    for (const key of ['a/1', 'a/2', 'b/1', 'c', 'd/x/y']) await client.send(new PutObjectCommand({ Bucket: 'listing', Key: key, Body: key }));
  });

  it('lists keys in order with their size and ETag', async () => {
    const listed = await client.send(new ListObjectsV2Command({ Bucket: 'listing', Prefix: 'a/' }));
    expect(listed.Contents?.map((o) => [o.Key, o.Size])).toEqual([['a/1', 3], ['a/2', 3]]);
    expect(listed.Contents?.[0].ETag).toBe(`"${createHash('md5').update('a/1').digest('hex')}"`);
    expect(listed).toMatchObject({ KeyCount: 2, IsTruncated: false, Prefix: 'a/' });
  });

  it('rolls keys up into common prefixes with a delimiter', async () => {
    const listed = await client.send(new ListObjectsV2Command({ Bucket: 'listing', Delimiter: '/' }));
    expect(listed.CommonPrefixes?.map((p) => p.Prefix)).toEqual(['a/', 'b/', 'd/']);
    expect(listed.Contents?.map((o) => o.Key)).toEqual(['c']);
  });

  it('pages with continuation tokens until every key is listed once', async () => {
    const keys: string[] = [];
    let token: string | undefined;
    let pages = 0;
    do {
      const page = await client.send(new ListObjectsV2Command({ Bucket: 'listing', MaxKeys: 2, ContinuationToken: token }));
      keys.push(...(page.Contents ?? []).map((o) => o.Key as string));
      token = page.NextContinuationToken;
      pages += 1;
      expect(page.IsTruncated).toBe(token !== undefined);
    } while (token);
    expect(keys).toEqual(['a/1', 'a/2', 'b/1', 'c', 'd/x/y']);
    expect(pages).toBe(3);
  });
});
