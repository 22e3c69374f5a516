import { LOCAL_BUILD_SOURCE_BUCKET, resolveSourceBucket } from '../../../cli/build-sources';
import { localBucketName } from '@consul-mesh/local-cloud';

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
