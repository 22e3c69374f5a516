import { createHash } from 'node:crypto';
import {
  BatchDeleteImageCommand,
  BatchGetImageCommand,
  CreateRepositoryCommand,
  DeleteRepositoryCommand,
  DescribeImagesCommand,
  DescribeRepositoriesCommand,
  ECRClient,
  GetAuthorizationTokenCommand,
  ListImagesCommand,
  PutImageCommand,
} from '@aws-sdk/client-ecr';
import { EcrProvider } from '../../../../local/aws/ecr/provider';
import { errorName } from '../support/errors';
import { clientConfig, startTestEndpoint, type TestEndpoint } from '../support/test-endpoint';

const REGION = 'us-east-1';
let endpoint: TestEndpoint;
let ecr: ECRClient;
let provider: EcrProvider;

beforeAll(async () => {
  provider = new EcrProvider();
  endpoint = await startTestEndpoint([provider]);
  ecr = new ECRClient(clientConfig(endpoint, REGION));
});

afterAll(async () => {
  ecr.destroy();
  await endpoint.close();
});

const digestOf = (text: string) => `sha256:${createHash('sha256').update(text).digest('hex')}`;

function manifest(layer: string, size: number): string {
  return JSON.stringify({
    schemaVersion: 2,
    mediaType: 'application/vnd.docker.distribution.manifest.v2+json',
    config: { mediaType: 'application/vnd.docker.container.image.v1+json', size: 10, digest: digestOf(`cfg-${layer}`) },
    layers: [{ mediaType: 'application/vnd.docker.image.rootfs.diff.tar.gzip', size, digest: digestOf(layer) }],
  });
}

describe('repositories', () => {
  it('creates a repository with its ARN and URI, and refuses a second one of the same name', async () => {
    const { repository } = await ecr.send(new CreateRepositoryCommand({ repositoryName: 'mesh/users' }));
    expect(repository).toMatchObject({
      repositoryName: 'mesh/users',
      registryId: '000000000000',
      repositoryArn: 'arn:aws:ecr:us-east-1:000000000000:repository/mesh/users',
      repositoryUri: '000000000000.dkr.ecr.us-east-1.amazonaws.com/mesh/users',
      imageTagMutability: 'MUTABLE',
    });
    expect(repository?.createdAt).toBeInstanceOf(Date);
    expect(await errorName(ecr.send(new CreateRepositoryCommand({ repositoryName: 'mesh/users' })))).toBe(
      'RepositoryAlreadyExistsException',
    );
  });

  it.each(['Upper', 'a', 'trailing/', 'double--dash', '-leading', 'x'.repeat(257)])('validates the name %s', async (name) => {
    const code = await errorName(ecr.send(new CreateRepositoryCommand({ repositoryName: name })));
    // Separators cannot repeat or start/end a name; upper case is not allowed.
    expect(code).toBe('InvalidParameterException');
  });

  it('describes named repositories, failing on an unknown one', async () => {
    await ecr.send(new CreateRepositoryCommand({ repositoryName: 'describe-me' }));
    const { repositories } = await ecr.send(new DescribeRepositoriesCommand({ repositoryNames: ['describe-me'] }));
    expect(repositories?.map((r) => r.repositoryName)).toEqual(['describe-me']);
    expect(
      await errorName(ecr.send(new DescribeRepositoriesCommand({ repositoryNames: ['describe-me', 'nope'] }))),
    ).toBe('RepositoryNotFoundException');
  });

  it('lists all repositories in pages', async () => {
    const names: string[] = [];
    let nextToken: string | undefined;
    do {
      const result = await ecr.send(new DescribeRepositoriesCommand({ maxResults: 1, nextToken }));
      names.push(...(result.repositories ?? []).map((r) => r.repositoryName!));
      nextToken = result.nextToken;
    } while (nextToken);
    expect(names).toEqual(expect.arrayContaining(['mesh/users', 'describe-me']));
  });

  it('refuses to delete a repository with images unless forced', async () => {
    await ecr.send(new CreateRepositoryCommand({ repositoryName: 'to-delete' }));
    await ecr.send(new PutImageCommand({ repositoryName: 'to-delete', imageManifest: manifest('d', 5), imageTag: 'v1' }));
    expect(await errorName(ecr.send(new DeleteRepositoryCommand({ repositoryName: 'to-delete' })))).toBe(
      'RepositoryNotEmptyException',
    );
    const { repository } = await ecr.send(new DeleteRepositoryCommand({ repositoryName: 'to-delete', force: true }));
    expect(repository?.repositoryName).toBe('to-delete');
    expect(await errorName(ecr.send(new DescribeRepositoriesCommand({ repositoryNames: ['to-delete'] })))).toBe(
      'RepositoryNotFoundException',
    );
  });
});

describe('images', () => {
  beforeAll(async () => {
    await ecr.send(new CreateRepositoryCommand({ repositoryName: 'images' }));
  });

  it('PutImage derives the digest from the manifest and DescribeImages reports it', async () => {
    const body = manifest('layer-a', 1234);
    const { image } = await ecr.send(new PutImageCommand({ repositoryName: 'images', imageManifest: body, imageTag: 'a1' }));
    expect(image?.imageId).toEqual({ imageDigest: digestOf(body), imageTag: 'a1' });

    const { imageDetails } = await ecr.send(new DescribeImagesCommand({ repositoryName: 'images', imageIds: [{ imageTag: 'a1' }] }));
    expect(imageDetails).toHaveLength(1);
    expect(imageDetails?.[0]).toMatchObject({
      imageDigest: digestOf(body),
      imageTags: ['a1'],
      imageSizeInBytes: 1234,
      repositoryName: 'images',
      registryId: '000000000000',
    });
    expect(imageDetails?.[0].imagePushedAt).toBeInstanceOf(Date);
  });

  it('answers ImageAlreadyExistsException for the same manifest and tag, and adds a new tag otherwise', async () => {
    const body = manifest('layer-b', 10);
    await ecr.send(new PutImageCommand({ repositoryName: 'images', imageManifest: body, imageTag: 'b1' }));
    expect(
      await errorName(ecr.send(new PutImageCommand({ repositoryName: 'images', imageManifest: body, imageTag: 'b1' }))),
    ).toBe('ImageAlreadyExistsException');
    await ecr.send(new PutImageCommand({ repositoryName: 'images', imageManifest: body, imageTag: 'b2' }));
    const { imageDetails } = await ecr.send(
      new DescribeImagesCommand({ repositoryName: 'images', imageIds: [{ imageDigest: digestOf(body) }] }),
    );
    expect(imageDetails?.[0].imageTags).toEqual(['b1', 'b2']);
  });

  it('rejects a digest that does not match the manifest', async () => {
    expect(
      await errorName(
        ecr.send(
          new PutImageCommand({ repositoryName: 'images', imageManifest: manifest('c', 1), imageDigest: digestOf('other') }),
        ),
      ),
    ).toBe('ImageDigestDoesNotMatchException');
  });

  it('answers ImageNotFoundException and RepositoryNotFoundException from DescribeImages', async () => {
    expect(
      await errorName(ecr.send(new DescribeImagesCommand({ repositoryName: 'images', imageIds: [{ imageTag: 'nope' }] }))),
    ).toBe('ImageNotFoundException');
    expect(await errorName(ecr.send(new DescribeImagesCommand({ repositoryName: 'missing-repo' })))).toBe(
      'RepositoryNotFoundException',
    );
  });

  it('refuses a malformed repository name before looking the repository up (InvalidParameterException)', async () => {
    for (const repositoryName of ['Upper-Case', 'x', 'trailing-']) {
      await expect(ecr.send(new DescribeImagesCommand({ repositoryName }))).rejects.toMatchObject({
        name: 'InvalidParameterException',
        message: expect.stringMatching(/^Invalid parameter at 'repositoryName' failed to satisfy constraint: 'must /),
      });
    }
  });

  it('BatchGetImage returns manifests and per-identifier failures', async () => {
    const body = manifest('layer-get', 7);
    await ecr.send(new PutImageCommand({ repositoryName: 'images', imageManifest: body, imageTag: 'get1' }));
    const other = manifest('layer-other', 8);
    await ecr.send(new PutImageCommand({ repositoryName: 'images', imageManifest: other, imageTag: 'other1' }));
    const result = await ecr.send(
      new BatchGetImageCommand({
        repositoryName: 'images',
        imageIds: [
          { imageTag: 'get1' },
          { imageTag: 'nope' },
          { imageDigest: 'sha256:xyz' },
          { imageTag: 'get1', imageDigest: digestOf(other) },
        ],
      }),
    );
    expect(result.images?.map((i) => [i.imageId?.imageTag, i.imageManifest])).toEqual([['get1', body]]);
    expect(result.failures?.map((f) => f.failureCode)).toEqual([
      'ImageNotFound',
      'InvalidImageDigest',
      'ImageTagDoesNotMatchDigest',
    ]);
  });

  it('moves a tag to the new image in a MUTABLE repository', async () => {
    const first = manifest('mut-1', 1);
    const second = manifest('mut-2', 2);
    await ecr.send(new PutImageCommand({ repositoryName: 'images', imageManifest: first, imageTag: 'moving' }));
    await ecr.send(new PutImageCommand({ repositoryName: 'images', imageManifest: second, imageTag: 'moving' }));
    const { imageDetails } = await ecr.send(new DescribeImagesCommand({ repositoryName: 'images', imageIds: [{ imageTag: 'moving' }] }));
    expect(imageDetails?.[0].imageDigest).toBe(digestOf(second));
    const untagged = await ecr.send(new ListImagesCommand({ repositoryName: 'images', filter: { tagStatus: 'UNTAGGED' } }));
    expect(untagged.imageIds).toContainEqual({ imageDigest: digestOf(first) });
  });

  it('lists one image id per tag and pages', async () => {
    await ecr.send(new CreateRepositoryCommand({ repositoryName: 'listing' }));
    for (const n of [1, 2, 3]) {
      await ecr.send(new PutImageCommand({ repositoryName: 'listing', imageManifest: manifest(`l${n}`, n), imageTag: `t${n}` }));
    }
    const ids: unknown[] = [];
    let nextToken: string | undefined;
    do {
      const result = await ecr.send(new ListImagesCommand({ repositoryName: 'listing', maxResults: 2, nextToken }));
      ids.push(...(result.imageIds ?? []));
      nextToken = result.nextToken;
    } while (nextToken);
    expect(ids).toEqual([1, 2, 3].map((n) => ({ imageDigest: digestOf(manifest(`l${n}`, n)), imageTag: `t${n}` })));
  });

  it('BatchDeleteImage removes a tag, the image with its last tag, and reports unknown ids', async () => {
    await ecr.send(new CreateRepositoryCommand({ repositoryName: 'deleting' }));
    const body = manifest('del', 3);
    await ecr.send(new PutImageCommand({ repositoryName: 'deleting', imageManifest: body, imageTag: 'x' }));
    await ecr.send(new PutImageCommand({ repositoryName: 'deleting', imageManifest: body, imageTag: 'y' }));
    const first = await ecr.send(
      new BatchDeleteImageCommand({ repositoryName: 'deleting', imageIds: [{ imageTag: 'x' }, { imageTag: 'zzz' }] }),
    );
    expect(first.imageIds).toEqual([{ imageDigest: digestOf(body), imageTag: 'x' }]);
    expect(first.failures?.[0]).toMatchObject({ imageId: { imageTag: 'zzz' }, failureCode: 'ImageNotFound' });
    await ecr.send(new BatchDeleteImageCommand({ repositoryName: 'deleting', imageIds: [{ imageTag: 'y' }] }));
    const { imageIds } = await ecr.send(new ListImagesCommand({ repositoryName: 'deleting' }));
    expect(imageIds).toEqual([]);
  });

  it('hands out a docker-login shaped authorization token', async () => {
    const { authorizationData } = await ecr.send(new GetAuthorizationTokenCommand({}));
    const token = Buffer.from(authorizationData?.[0].authorizationToken ?? '', 'base64').toString();
    expect(token).toMatch(/^AWS:.+/);
    expect(authorizationData?.[0].proxyEndpoint).toBe('https://000000000000.dkr.ecr.us-east-1.amazonaws.com');
  });
});

describe('pushImage (the registry push used by CodeBuild)', () => {
  const digest = digestOf('context-1');

  it('stores the image so that DescribeImages finds it, and is idempotent', async () => {
    await ecr.send(new CreateRepositoryCommand({ repositoryName: 'pushed' }));
    const pushed = provider.pushImage(REGION, 'pushed', 'abc123', digest, 4096);
    expect(pushed).toEqual({
      repositoryUri: '000000000000.dkr.ecr.us-east-1.amazonaws.com/pushed',
      imageDigest: digest,
      imageTag: 'abc123',
    });
    provider.pushImage(REGION, 'pushed', 'abc123', digest, 4096);
    const { imageDetails } = await ecr.send(new DescribeImagesCommand({ repositoryName: 'pushed' }));
    expect(imageDetails).toHaveLength(1);
    expect(imageDetails?.[0]).toMatchObject({ imageDigest: digest, imageTags: ['abc123'], imageSizeInBytes: 4096 });
    const { images } = await ecr.send(new BatchGetImageCommand({ repositoryName: 'pushed', imageIds: [{ imageTag: 'abc123' }] }));
    expect(JSON.parse(images?.[0].imageManifest ?? '{}')).toMatchObject({ schemaVersion: 2 });
  });

  it('lets the local cloud look an image up by tag or digest', () => {
    expect(provider.findImage(REGION, 'pushed', 'abc123')?.digest).toBe(digest);
    expect(provider.findImage(REGION, 'pushed', digest)?.tags).toEqual(['abc123']);
    expect(provider.findImage(REGION, 'pushed', 'other-tag')).toBeUndefined();
    expect(provider.findImage(REGION, 'never-created', 'abc123')).toBeUndefined();
  });

  it('fails for an unknown repository', () => {
    expect(() => provider.pushImage(REGION, 'never-created', 't', digest, 1)).toThrow(
      expect.objectContaining({ code: 'RepositoryNotFoundException' }),
    );
  });

  it('in an IMMUTABLE repository refuses to re-use a tag for another digest but accepts the same digest', async () => {
    await ecr.send(new CreateRepositoryCommand({ repositoryName: 'frozen', imageTagMutability: 'IMMUTABLE' }));
    provider.pushImage(REGION, 'frozen', 'v1', digest, 10);
    provider.pushImage(REGION, 'frozen', 'v1', digest, 10);
    expect(() => provider.pushImage(REGION, 'frozen', 'v1', digestOf('context-2'), 10)).toThrow(
      expect.objectContaining({ code: 'ImageTagAlreadyExistsException' }),
    );
    expect(
      await errorName(ecr.send(new PutImageCommand({ repositoryName: 'frozen', imageManifest: manifest('f', 1), imageTag: 'v1' }))),
    ).toBe('ImageTagAlreadyExistsException');
  });
});
