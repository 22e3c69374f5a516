/**
 * IAM on the local endpoint, driven by the real SDK clients with a role's temporary credentials: the evaluation of
 * each call against the role's policies, AWS's error codes and message per protocol, and the session token check.
 */
import { CreateClusterCommand, ECSClient, ECSServiceException, ListClustersCommand } from '@aws-sdk/client-ecs';
import { CreateBucketCommand, HeadObjectCommand, PutObjectCommand, S3Client, S3ServiceException } from '@aws-sdk/client-s3';
import { EcsSimulation } from '../../../../local/aws/ecs/simulation';
import { IamAuthorizer } from '../../../../local/aws/iam/authorizer';
import { S3Provider } from '../../../../local/aws/s3/provider';
import { startAwsEndpoint, type AwsEndpoint } from '../../../../local/aws/server';
import { DEFAULT_LOCAL_CREDENTIALS } from '../../../../local/aws/sigv4';

const ACCOUNT = '000000000000';
const ROLE = `arn:aws:iam::${ACCOUNT}:role/reader`;
const LISTER = `arn:aws:iam::${ACCOUNT}:role/lister`;

let endpoint: AwsEndpoint;
let ecs: EcsSimulation;
let iam: IamAuthorizer;
const clients: Array<{ destroy(): void }> = [];

function client<T extends { destroy(): void }>(make: (config: { endpoint: string; region: string; credentials: { accessKeyId: string; secretAccessKey: string; sessionToken?: string }; maxAttempts: number; forcePathStyle: boolean }) => T, role?: string): T {
  const session = role ? iam.assumeRole(role, 'test-session') : undefined;
  const credentials = session ? { accessKeyId: session.accessKeyId, secretAccessKey: session.secretAccessKey, sessionToken: session.sessionToken } : DEFAULT_LOCAL_CREDENTIALS;
  const made = make({ endpoint: endpoint.url, region: 'us-east-1', credentials, maxAttempts: 1, forcePathStyle: true });
  clients.push(made);
  return made;
}

async function failureOf<E extends Error>(promise: Promise<unknown>, type: new (...args: never[]) => E): Promise<E> {
  try {
    await promise;
  } catch (error) {
    if (error instanceof type) return error;
    throw error;
  }
  throw new Error('expected the call to fail');
}

beforeAll(async () => {
  ecs = new EcsSimulation();
  iam = new IamAuthorizer({ accountId: ACCOUNT, administrator: DEFAULT_LOCAL_CREDENTIALS, enforce: true });
  iam.defineRole(ROLE, [{ Statement: [{ Effect: 'Allow', Action: ['ecs:List*', 's3:GetObject'], Resource: '*' }] }]);
  iam.defineRole(LISTER, [
    { Statement: [{ Effect: 'Allow', Action: 's3:GetObject', Resource: 'arn:aws:s3:::ctx-bucket/*' }, { Effect: 'Allow', Action: 's3:ListBucket', Resource: 'arn:aws:s3:::ctx-bucket', Condition: { StringLike: { 's3:prefix': 'contexts/*' } } }] },
  ]);
  endpoint = await startAwsEndpoint({ port: 0, providers: [ecs.provider], restProvider: new S3Provider(), iam });
  await client((c) => new S3Client(c)).send(new CreateBucketCommand({ Bucket: 'ctx-bucket' }));
});

afterAll(async () => {
  for (const c of clients) c.destroy();
  ecs.close();
  await endpoint.stop();
});

describe('IAM on the local AWS endpoint', () => {
  it('serves what the role allows and refuses the rest with AccessDeniedException and AWS\'s message', async () => {
    const ecsClient = client((c) => new ECSClient(c), ROLE);
    await expect(ecsClient.send(new ListClustersCommand({}))).resolves.toBeDefined();
    const denied = await failureOf(ecsClient.send(new CreateClusterCommand({ clusterName: 'c1' })), ECSServiceException);
    expect({ name: denied.name, status: denied.$metadata.httpStatusCode, message: denied.message }).toEqual({
      name: 'AccessDeniedException',
      status: 400,
      message: `User: arn:aws:sts::${ACCOUNT}:assumed-role/reader/test-session is not authorized to perform: ecs:CreateCluster on resource: arn:aws:ecs:us-east-1:${ACCOUNT}:cluster/c1 because no identity-based policy allows the ecs:CreateCluster action`,
    });
    // Nothing happened: the call is authorized before it is served.
    expect(ecs.clusters('us-east-1')).toEqual([]);
    // The administrator may.
    await expect(client((c) => new ECSClient(c)).send(new CreateClusterCommand({ clusterName: 'c1' }))).resolves.toBeDefined();
  });

  it('refuses a role\'s key with another session token as an invalid token', async () => {
    const { accessKeyId, secretAccessKey } = iam.assumeRole(ROLE, 'test-session');
    const forged = client((c) => new ECSClient({ ...c, credentials: { accessKeyId, secretAccessKey, sessionToken: 'not-the-token' } }));
    const error = await failureOf(forged.send(new ListClustersCommand({})), ECSServiceException);
    expect(error.name).toBe('UnrecognizedClientException');
  });

  it('answers S3\'s AccessDenied (403) for a refused call', async () => {
    const s3 = client((c) => new S3Client(c), ROLE);
    const error = await failureOf(s3.send(new PutObjectCommand({ Bucket: 'ctx-bucket', Key: 'k', Body: 'x' })), S3ServiceException);
    expect({ name: error.name, status: error.$metadata.httpStatusCode }).toEqual({ name: 'AccessDenied', status: 403 });
    expect(error.message).toContain('is not authorized to perform: s3:PutObject on resource: arn:aws:s3:::ctx-bucket/k');
  });

  it('answers 403 for a missing object without s3:ListBucket, 404 with it', async () => {
    const withoutList = await failureOf(client((c) => new S3Client(c), ROLE).send(new HeadObjectCommand({ Bucket: 'ctx-bucket', Key: 'contexts/missing.zip' })), S3ServiceException);
    expect(withoutList.$metadata.httpStatusCode).toBe(403);
    const withList = await failureOf(client((c) => new S3Client(c), LISTER).send(new HeadObjectCommand({ Bucket: 'ctx-bucket', Key: 'contexts/missing.zip' })), S3ServiceException);
    expect(withList.$metadata.httpStatusCode).toBe(404);
    // The listing permission is limited to contexts/: elsewhere a missing key is a 403 again.
    const outside = await failureOf(client((c) => new S3Client(c), LISTER).send(new HeadObjectCommand({ Bucket: 'ctx-bucket', Key: 'other/missing' })), S3ServiceException);
    expect(outside.$metadata.httpStatusCode).toBe(403);
  });
});
