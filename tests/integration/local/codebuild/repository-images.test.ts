/**
 * The repository's own image builds, run the way the deployment starts them (layers/deploy/images.ts): one
 * CodeBuild project whose buildspec is docker/buildspec.yml, one build per context with IMAGE_REPO_NAME,
 * IMAGE_TAG and DOCKERFILE overridden.
 */
import { resolve } from 'node:path';
import { CodeBuildClient, CreateProjectCommand, StartBuildCommand } from '@aws-sdk/client-codebuild';
import { CreateRepositoryCommand, DescribeImagesCommand, ECRClient } from '@aws-sdk/client-ecr';
import { CodeBuildProvider } from '../../../../local/aws/codebuild/provider';
import { EcrProvider } from '../../../../local/aws/ecr/provider';
import { Faults } from '../../../../local/faults/faults';
import { waitForBuild } from '../support/builds';
import { clientConfig, startTestEndpoint, type TestEndpoint } from '../support/test-endpoint';

const REPOSITORY_ROOT = resolve(__dirname, '../../../..');

let codebuildProvider: CodeBuildProvider;
let endpoint: TestEndpoint;
let codebuild: CodeBuildClient;
let ecr: ECRClient;

beforeAll(async () => {
  const ecrProvider = new EcrProvider();
  codebuildProvider = new CodeBuildProvider({ registry: ecrProvider, projectRoot: REPOSITORY_ROOT, faults: new Faults() });
  endpoint = await startTestEndpoint([codebuildProvider, ecrProvider]);
  codebuild = new CodeBuildClient(clientConfig(endpoint));
  ecr = new ECRClient(clientConfig(endpoint));
  await codebuild.send(
    new CreateProjectCommand({
      name: 'mesh-images',
      source: { type: 'GITHUB', location: 'https://example.com/org/repo.git', buildspec: 'docker/buildspec.yml' },
      artifacts: { type: 'NO_ARTIFACTS' },
      environment: {
        type: 'ARM_CONTAINER',
        image: 'aws/codebuild/amazonlinux2-aarch64-standard:3.0',
        computeType: 'BUILD_GENERAL1_SMALL',
        privilegedMode: true,
        environmentVariables: [{ name: 'AWS_ACCOUNT_ID', value: '000000000000' }],
      },
      serviceRole: 'arn:aws:iam::000000000000:role/image-build',
    }),
  );
});

afterAll(async () => {
  codebuildProvider.close();
  codebuild.destroy();
  ecr.destroy();
  await endpoint.close();
});

it.each(['docker/services/users', 'docker/consul-server'])('builds %s with docker/buildspec.yml and pushes it', async (context) => {
  const repositoryName = `reference-mesh/${context.split('/').pop()}`;
  await ecr.send(new CreateRepositoryCommand({ repositoryName, imageTagMutability: 'IMMUTABLE' }));
  const { build } = await codebuild.send(
    new StartBuildCommand({
      projectName: 'mesh-images',
      sourceLocationOverride: context,
      environmentVariablesOverride: [
        { name: 'IMAGE_REPO_NAME', value: repositoryName, type: 'PLAINTEXT' },
        { name: 'IMAGE_TAG', value: 'content-hash-1', type: 'PLAINTEXT' },
        { name: 'DOCKERFILE', value: 'Dockerfile', type: 'PLAINTEXT' },
      ],
    }),
  );
  const done = await waitForBuild(codebuild, build!.id!);
  expect(done.phases?.filter((p) => p.phaseStatus && p.phaseStatus !== 'SUCCEEDED')).toEqual([]);
  expect(done.buildStatus).toBe('SUCCEEDED');
  const digest = done.exportedEnvironmentVariables?.find((v) => v.name === 'IMAGE_DIGEST')?.value;
  const { imageDetails } = await ecr.send(new DescribeImagesCommand({ repositoryName, imageIds: [{ imageTag: 'content-hash-1' }] }));
  expect(imageDetails?.[0].imageDigest).toBe(digest);
});
