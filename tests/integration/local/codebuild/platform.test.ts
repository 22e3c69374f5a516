/**
 * One CPU architecture from build to task, against the local CodeBuild, ECR and ECS through the real SDK clients:
 * the deploy's image builds (layers/deploy/images.ts) run in the CodeBuild environment of the spec's architecture and
 * build for it; the local ECR records the platform of what was pushed; ECS refuses (CannotPullContainerError) to run
 * an image whose platform differs from the task definition's runtimePlatform, as Fargate does.
 */
import { resolve } from 'node:path';
import { CodeBuildClient, CreateProjectCommand, StartBuildCommand } from '@aws-sdk/client-codebuild';
import { ECRClient } from '@aws-sdk/client-ecr';
import {
  CreateClusterCommand,
  DescribeTasksCommand,
  ECSClient,
  RegisterTaskDefinitionCommand,
  RunTaskCommand,
  type RuntimePlatform,
  type Task,
} from '@aws-sdk/client-ecs';
import { S3Client } from '@aws-sdk/client-s3';
import { readBuildContext } from '../../../../layers/build-context';
import { uploadBuildContexts } from '../../../../layers/deploy/build-source';
import { loadImageBuildspec } from '../../../../layers/deploy/buildspec';
import { checkImageBuild, ensureImage, type ImageJob } from '../../../../layers/deploy/images';
import { S3Provider } from '../../../../local/aws/s3/provider';
import { CodeBuildProvider } from '../../../../local/aws/codebuild/provider';
import { EcrProvider } from '../../../../local/aws/ecr/provider';
import { EcsSimulation } from '../../../../local/aws/ecs/simulation';
import { AwsEndpoint } from '../../../../local/aws/server';
import { Faults } from '../../../../local/faults/faults';
import { eventually, FAST_DELAYS, fargateTaskDefinition, NETWORK } from '../ecs/harness';
import { phase, waitForBuild } from '../support/builds';
import { createCodeBuildApi } from '../../../../layers/adapters/codebuild';
import { createEcrApi } from '../../../../layers/adapters/ecr';
import { createS3Api } from '../../../../layers/adapters/s3';

const REPOSITORY_ROOT = resolve(__dirname, '../../../..');
const PROJECT = 'mesh-images';
const BUCKET = 'build-sources';
/** The users sample service, read and hashed as meshctl does; its zip is uploaded before each build. */
const USERS = readBuildContext(resolve(REPOSITORY_ROOT, 'docker/services/users'));
const HASH = USERS.contentHash;

let ecrProvider: EcrProvider;
let codebuildProvider: CodeBuildProvider;
let simulation: EcsSimulation;
let endpoint: AwsEndpoint;
let codebuild: CodeBuildClient;
let ecr: ECRClient;
let ecs: ECSClient;

beforeAll(async () => {
  const faults = new Faults(3);
  ecrProvider = new EcrProvider();
  const s3Provider = new S3Provider();
  s3Provider.store.createBucket(BUCKET, 'us-east-1');
  codebuildProvider = new CodeBuildProvider({ registry: ecrProvider, projectRoot: REPOSITORY_ROOT, faults, s3: s3Provider.store });
  simulation = new EcsSimulation({ faults, delays: FAST_DELAYS, imagePlatform: (image) => ecrProvider.imagePlatform(image) });
  endpoint = new AwsEndpoint({ port: 0, faults, providers: [simulation.provider, ecrProvider, codebuildProvider], restProvider: s3Provider });
  await endpoint.start();
  const config = { endpoint: endpoint.url, region: 'us-east-1', credentials: { accessKeyId: 'test', secretAccessKey: 'test' } };
  codebuild = new CodeBuildClient(config);
  ecr = new ECRClient(config);
  ecs = new ECSClient(config);
  const s3 = new S3Client({ ...config, forcePathStyle: true });
  await uploadBuildContexts([USERS], { s3: createS3Api(s3), bucket: BUCKET });
  s3.destroy();
  // The project of serverless.yml: an ARM host by default.
  await codebuild.send(
    new CreateProjectCommand({
      name: PROJECT,
      source: { type: 'GITHUB', location: 'https://example.com/org/repo.git', buildspec: 'docker/buildspec.yml' },
      artifacts: { type: 'NO_ARTIFACTS' },
      environment: { type: 'ARM_CONTAINER', image: 'aws/codebuild/amazonlinux-aarch64-standard:3.0', computeType: 'BUILD_GENERAL1_SMALL', privilegedMode: true },
      serviceRole: 'arn:aws:iam::000000000000:role/image-build',
    }),
  );
  await ecs.send(new CreateClusterCommand({ clusterName: 'platform' }));
});

afterAll(async () => {
  codebuild.destroy();
  ecr.destroy();
  ecs.destroy();
  codebuildProvider.close();
  simulation.close();
  await endpoint.stop();
});

/** Builds docker/services/users the way the deploy's image step does, for one architecture; returns the image URI. */
async function buildUsers(architecture: 'ARM64' | 'X86_64'): Promise<{ imageUri: string; buildId: string }> {
  const job: ImageJob = {
    name: 'users',
    repository: 'reference-mesh/users',
    tag: `ctx-${HASH.slice(0, 32)}-${architecture === 'ARM64' ? 'arm64' : 'amd64'}`,
    contentHash: HASH,
    context: 'docker/services/users',
    dockerfile: 'Dockerfile',
    architecture,
  };
  const deps = { ecr: createEcrApi(ecr), codebuild: createCodeBuildApi(codebuild), project: PROJECT, sourceBucket: BUCKET, buildspec: loadImageBuildspec({ LAMBDA_TASK_ROOT: REPOSITORY_ROOT }) };
  const started = await ensureImage(job, deps, `d-${architecture}`);
  if (started.status === 'READY') return { imageUri: started.imageUri, buildId: '' };
  if (started.status !== 'IN_PROGRESS') throw new Error(`expected a build, got ${started.status}`);
  await waitForBuild(codebuild, started.buildId);
  const done = await checkImageBuild(started, deps);
  expect(done.status).toBe('SUCCEEDED');
  return { imageUri: started.imageUri, buildId: started.buildId };
}

async function runTask(family: string, image: string, runtimePlatform?: RuntimePlatform): Promise<Task> {
  await ecs.send(new RegisterTaskDefinitionCommand({ ...fargateTaskDefinition(family, image), runtimePlatform }));
  const { tasks } = await ecs.send(new RunTaskCommand({ cluster: 'platform', taskDefinition: family, launchType: 'FARGATE', networkConfiguration: NETWORK }));
  const taskArn = tasks![0].taskArn!;
  return eventually(async () => {
    const { tasks: described } = await ecs.send(new DescribeTasksCommand({ cluster: 'platform', tasks: [taskArn] }));
    const task = described?.[0];
    return task && (task.lastStatus === 'STOPPED' || (task.lastStatus === 'RUNNING' && task.healthStatus === 'HEALTHY')) ? task : undefined;
  });
}

describe('one CPU architecture from build to task', () => {
  it('builds each architecture in its own CodeBuild environment and records the platform of the pushed image', async () => {
    const arm = await buildUsers('ARM64');
    const x86 = await buildUsers('X86_64');
    expect(ecrProvider.imagePlatform(arm.imageUri)).toEqual({ os: 'linux', architecture: 'arm64' });
    expect(ecrProvider.imagePlatform(x86.imageUri)).toEqual({ os: 'linux', architecture: 'amd64' });
    expect(codebuildProvider.buildLog('us-east-1', x86.buildId)?.join('\n')).toContain('Provisioned a LINUX_CONTAINER environment (linux/amd64)');
  });

  it('runs an image on the architecture it was built for, and stops one built for another with CannotPullContainerError', async () => {
    const { imageUri } = await buildUsers('ARM64');
    const onArm = await runTask('users-arm', imageUri, { cpuArchitecture: 'ARM64', operatingSystemFamily: 'LINUX' });
    expect(onArm).toMatchObject({ lastStatus: 'RUNNING', healthStatus: 'HEALTHY' });

    // A task definition without runtimePlatform runs on X86_64 (Fargate's default): the arm64 image cannot start.
    const onDefault = await runTask('users-default', imageUri);
    expect(onDefault).toMatchObject({ lastStatus: 'STOPPED', stopCode: 'TaskFailedToStart' });
    expect(onDefault.stoppedReason).toMatch(/^CannotPullContainerError: .*does not contain descriptor matching platform 'linux\/amd64'$/);
    expect(onDefault.containers?.[0].exitCode).toBeUndefined();
  });

  it('fails a build whose curated image is for another architecture than its environment type, in PROVISIONING', async () => {
    const { build } = await codebuild.send(
      new StartBuildCommand({
        projectName: PROJECT,
        sourceLocationOverride: 'docker/services/users',
        environmentTypeOverride: 'LINUX_CONTAINER',
        imageOverride: 'aws/codebuild/amazonlinux-aarch64-standard:3.0',
      }),
    );
    const done = await waitForBuild(codebuild, build!.id!);
    expect(done.buildStatus).toBe('FAILED');
    expect(phase(done, 'PROVISIONING')).toMatchObject({ phaseStatus: 'FAILED', contexts: [{ statusCode: 'CLIENT_ERROR', message: expect.stringContaining('built for arm64') }] });
  });

  it('fails a build asked for a platform other than its host, as the buildspec does (no emulator on CodeBuild hosts)', async () => {
    const { build } = await codebuild.send(
      new StartBuildCommand({
        projectName: PROJECT,
        sourceLocationOverride: 'docker/services/users',
        environmentVariablesOverride: [
          { name: 'IMAGE_REPO_NAME', value: 'reference-mesh/users', type: 'PLAINTEXT' },
          { name: 'IMAGE_TAG', value: 'ctx-mismatch', type: 'PLAINTEXT' },
          { name: 'IMAGE_PLATFORM', value: 'linux/amd64', type: 'PLAINTEXT' },
        ],
      }),
    );
    const done = await waitForBuild(codebuild, build!.id!);
    expect(done.buildStatus).toBe('FAILED');
    expect(phase(done, 'BUILD')?.contexts?.[0].message).toContain('this build host is linux/arm64');
  });

  it('refuses an environment type CodeBuild does not have', async () => {
    await expect(
      codebuild.send(new StartBuildCommand({ projectName: PROJECT, environmentTypeOverride: 'ARM64_CONTAINER' as never })),
    ).rejects.toMatchObject({ name: 'InvalidInputException' });
  });
});
