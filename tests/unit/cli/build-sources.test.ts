import { join } from 'node:path';
import { LOCAL_BUILD_SOURCE_BUCKET, publishBuildContexts, resolveSourceBucket } from '../../../cli/build-sources';
import { localBucketName } from '@consul-mesh/local-cloud';
import { s3Client } from '../../../layers/adapters/aws';
import { readBuildContext } from '../../../layers/build-context';
import { InvalidInputError } from '../../../layers/errors';

describe('the bucket meshctl uploads build contexts to', () => {
  it('is --source-bucket, else BUILD_SOURCE_BUCKET', () => {
    expect(resolveSourceBucket({ sourceBucket: 'flag-bucket' }, { BUILD_SOURCE_BUCKET: 'env-bucket' })).toBe('flag-bucket');
    expect(resolveSourceBucket({ apiUrl: 'https://api.example.com' }, { BUILD_SOURCE_BUCKET: 'env-bucket' })).toBe('env-bucket');
  });

  it("is the local cloud's bucket only for the local cloud's default API", () => {
    expect(resolveSourceBucket({}, {})).toBe(LOCAL_BUILD_SOURCE_BUCKET);
    expect(LOCAL_BUILD_SOURCE_BUCKET).toBe(localBucketName('BuildSourceBucket', 'local'));
  });

  it('must be named for another API or for Step Functions directly', () => {
    expect(() => resolveSourceBucket({ apiUrl: 'https://api.example.com' }, {})).toThrow(/--source-bucket or set BUILD_SOURCE_BUCKET/);
    expect(() => resolveSourceBucket({}, { DEPLOY_STATE_MACHINE_ARN: 'arn:aws:states:us-east-1:1:stateMachine:x' })).toThrow(/BuildSourceBucketName/);
  });

  it("names the second region's bucket for another local API, whose name carries its region", () => {
    expect(() => resolveSourceBucket({}, { MESH_API_URL: 'http://127.0.0.1:3010' })).toThrow(/local-<region>-build-source-bucket, e\.g\. local-eu-west-1-build-source-bucket/);
    expect(localBucketName('BuildSourceBucket', 'local-eu-west-1')).toBe('local-eu-west-1-build-source-bucket');
    expect(() => resolveSourceBucket({ apiUrl: 'https://api.example.com' }, {})).not.toThrow(/local-<region>/);
  });
});

describe('uploading build contexts without an AWS region', () => {
  const AWS_SETTINGS = ['AWS_REGION', 'AWS_DEFAULT_REGION', 'AWS_PROFILE', 'AWS_CONFIG_FILE', 'AWS_SHARED_CREDENTIALS_FILE', 'AWS_ACCESS_KEY_ID', 'AWS_SECRET_ACCESS_KEY', 'AWS_ENDPOINT_URL'];
  const saved = Object.fromEntries(AWS_SETTINGS.map((name) => [name, process.env[name]]));
  beforeEach(() => {
    // The local cloud's settings as the README's meshctl section gave them, without a region, and no config file.
    for (const name of AWS_SETTINGS) delete process.env[name];
    Object.assign(process.env, {
      AWS_ENDPOINT_URL: 'http://127.0.0.1:9',
      AWS_ACCESS_KEY_ID: 'test',
      AWS_SECRET_ACCESS_KEY: 'test',
      AWS_CONFIG_FILE: join(__dirname, 'no-such-aws-config'),
      AWS_SHARED_CREDENTIALS_FILE: join(__dirname, 'no-such-aws-credentials'),
    });
  });
  afterEach(() => {
    for (const [name, value] of Object.entries(saved)) {
      if (value === undefined) delete process.env[name];
      else process.env[name] = value;
    }
  });

  it("names AWS_REGION and the spec's region, not the SDK's bare \"Region is missing\"", async () => {
    const context = readBuildContext(join(__dirname, '../../../docker/services/todos'));
    const upload = publishBuildContexts([context], { sourceBucket: 'local-eu-west-1-build-source-bucket', specRegion: 'eu-west-1' }, { env: {}, clients: () => ({ s3: s3Client() }) as never });
    const error: unknown = await upload.catch((e: unknown) => e);
    expect(error).toBeInstanceOf(InvalidInputError);
    expect((error as Error).message).toBe(
      "no AWS region to upload the build contexts to s3://local-eu-west-1-build-source-bucket with: set AWS_REGION to the region of the mesh's stack, the spec's region: eu-west-1",
    );
    expect(((error as Error).cause as Error).message).toBe('Region is missing');
  });
});
