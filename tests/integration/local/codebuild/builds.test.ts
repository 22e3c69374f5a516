import {
  CodeBuildClient,
  CreateProjectCommand,
  StartBuildCommand,
  type CreateProjectCommandInput,
} from '@aws-sdk/client-codebuild';
import { CreateRepositoryCommand, DescribeImagesCommand, ECRClient } from '@aws-sdk/client-ecr';
import { CodeBuildProvider } from '../../../../local/aws/codebuild/provider';
import { EcrProvider } from '../../../../local/aws/ecr/provider';
import { Faults } from '../../../../local/faults/faults';
import { createTempProject, VALID_BUILDSPEC, VALID_DOCKERFILE, type TempProject } from '../support/build-context';
import { phase, waitForBuild } from '../support/builds';
import { errorName } from '../support/errors';
import { clientConfig, startTestEndpoint, type TestEndpoint } from '../support/test-endpoint';

const ALL_PHASES = [
  'SUBMITTED',
  'QUEUED',
  'PROVISIONING',
  'DOWNLOAD_SOURCE',
  'INSTALL',
  'PRE_BUILD',
  'BUILD',
  'POST_BUILD',
  'UPLOAD_ARTIFACTS',
  'FINALIZING',
  'COMPLETED',
];

let project: TempProject;
let faults: Faults;
let codebuildProvider: CodeBuildProvider;
let endpoint: TestEndpoint;
let codebuild: CodeBuildClient;
let ecr: ECRClient;

function projectInput(name: string, overrides: Partial<CreateProjectCommandInput> = {}): CreateProjectCommandInput {
  return {
    name,
    // A repository source: locally a checkout, the directory named relative to the project root (S3 sources are
    // downloaded from the local S3: tests/integration/deploy-layer/build-source.test.ts).
    source: { type: 'CODECOMMIT', location: 'docker/services/users' },
    artifacts: { type: 'NO_ARTIFACTS' },
    environment: {
      type: 'LINUX_CONTAINER',
      image: 'aws/codebuild/standard:7.0',
      computeType: 'BUILD_GENERAL1_SMALL',
      privilegedMode: true,
      environmentVariables: [{ name: 'IMAGE_REPO_NAME', value: 'users' }],
    },
    serviceRole: 'arn:aws:iam::000000000000:role/codebuild',
    ...overrides,
  };
}

async function build(projectName: string, overrides: Omit<ConstructorParameters<typeof StartBuildCommand>[0], 'projectName'> = {}) {
  const { build: started } = await codebuild.send(new StartBuildCommand({ projectName, ...overrides }));
  return waitForBuild(codebuild, started!.id!);
}

beforeAll(async () => {
  project = createTempProject();
  project.write('docker/services/users/Dockerfile', VALID_DOCKERFILE);
  project.write('docker/services/users/buildspec.yml', VALID_BUILDSPEC);
  project.write('docker/services/users/server.js', 'console.log("users");\n');
  faults = new Faults();
  const ecrProvider = new EcrProvider();
  codebuildProvider = new CodeBuildProvider({ registry: ecrProvider, projectRoot: project.root, faults }, { buildDurationMs: 0 });
  endpoint = await startTestEndpoint([codebuildProvider, ecrProvider]);
  codebuild = new CodeBuildClient(clientConfig(endpoint));
  ecr = new ECRClient(clientConfig(endpoint));
  await ecr.send(new CreateRepositoryCommand({ repositoryName: 'users' }));
  await codebuild.send(new CreateProjectCommand(projectInput('users-image')));
});

afterAll(async () => {
  codebuildProvider.close();
  codebuild.destroy();
  ecr.destroy();
  await endpoint.close();
  project.cleanup();
});

afterEach(() => faults.reset());

describe('a successful build', () => {
  it('starts SUBMITTED and IN_PROGRESS with an id, ARN and build number', async () => {
    const { build: started } = await codebuild.send(new StartBuildCommand({ projectName: 'users-image' }));
    expect(started?.id).toMatch(/^users-image:[0-9a-f-]{36}$/);
    expect(started?.arn).toBe(`arn:aws:codebuild:us-east-1:000000000000:build/${started?.id}`);
    expect(started).toMatchObject({ currentPhase: 'SUBMITTED', buildStatus: 'IN_PROGRESS', buildComplete: false });
    expect(started?.buildNumber).toBeGreaterThanOrEqual(1);
    await waitForBuild(codebuild, started!.id!);
  });

  it('passes through every phase in order and succeeds', async () => {
    const done = await build('users-image');
    expect(done.buildStatus).toBe('SUCCEEDED');
    expect(done.currentPhase).toBe('COMPLETED');
    expect(done.phases?.map((p) => p.phaseType)).toEqual(ALL_PHASES);
    for (const p of done.phases!.slice(0, -1)) {
      expect(p).toMatchObject({ phaseStatus: 'SUCCEEDED', durationInSeconds: 0 });
      expect(p.endTime!.getTime()).toBeGreaterThanOrEqual(p.startTime!.getTime());
    }
    // COMPLETED only marks the end, as CodeBuild reports it.
    expect(phase(done, 'COMPLETED')?.phaseStatus).toBeUndefined();
    expect(done.endTime).toBeInstanceOf(Date);
  });

  it('pushes the image into ECR and exports its digest, tag and URI', async () => {
    const done = await build('users-image', { environmentVariablesOverride: [{ name: 'IMAGE_TAG', value: 'v1' }] });
    const exported = Object.fromEntries((done.exportedEnvironmentVariables ?? []).map((v) => [v.name, v.value]));
    expect(exported.IMAGE_DIGEST).toMatch(/^sha256:[0-9a-f]{64}$/);
    expect(exported.IMAGE_TAG).toBe('v1');
    expect(exported.IMAGE_URI).toBe(`000000000000.dkr.ecr.us-east-1.amazonaws.com/users@${exported.IMAGE_DIGEST}`);
    const { imageDetails } = await ecr.send(new DescribeImagesCommand({ repositoryName: 'users', imageIds: [{ imageTag: 'v1' }] }));
    expect(imageDetails?.[0].imageDigest).toBe(exported.IMAGE_DIGEST);
    expect(imageDetails?.[0].imageSizeInBytes).toBeGreaterThan(0);
    expect(codebuildProvider.buildLog('us-east-1', done.id!)?.join('\n')).toContain(exported.IMAGE_DIGEST);
  });

  it('tags by content hash when IMAGE_TAG is not set', async () => {
    const done = await build('users-image');
    const exported = Object.fromEntries((done.exportedEnvironmentVariables ?? []).map((v) => [v.name, v.value]));
    expect(exported.IMAGE_TAG).toBe(exported.IMAGE_DIGEST.slice(7, 19));
  });

  it('computes the same digest for the same content and another for changed content', async () => {
    const digestOf = async () => {
      const done = await build('users-image');
      expect(done.buildStatus).toBe('SUCCEEDED');
      return done.exportedEnvironmentVariables?.find((v) => v.name === 'IMAGE_DIGEST')?.value;
    };
    const first = await digestOf();
    expect(await digestOf()).toBe(first);
    project.write('docker/services/users/server.js', 'console.log("users v2");\n');
    const changed = await digestOf();
    expect(changed).not.toBe(first);
    project.write('docker/services/users/server.js', 'console.log("users");\n');
    expect(await digestOf()).toBe(first);
    // A new file changes the context; node_modules and .git are not part of it.
    project.write('docker/services/users/lib/util.js', 'module.exports = 1;\n');
    expect(await digestOf()).not.toBe(first);
    project.remove('docker/services/users/lib');
    project.write('docker/services/users/node_modules/dep/index.js', 'module.exports = 2;\n');
    project.write('docker/services/users/.git/HEAD', 'ref: refs/heads/main\n');
    expect(await digestOf()).toBe(first);
    project.remove('docker/services/users/node_modules');
    project.remove('docker/services/users/.git');
  });

  it('exports the variables the buildspec lists', async () => {
    const done = await build('users-image', { environmentVariablesOverride: [{ name: 'SERVICE_NAME', value: 'users' }] });
    expect(done.exportedEnvironmentVariables).toContainEqual({ name: 'SERVICE_NAME', value: 'users' });
  });

  it('finds a buildspec path in the project root when the source root has none', async () => {
    project.write('ci/images.yml', VALID_BUILDSPEC);
    project.write('docker/services/todos/Dockerfile', VALID_DOCKERFILE);
    const done = await build('users-image', { sourceLocationOverride: 'docker/services/todos', buildspecOverride: 'ci/images.yml' });
    expect(done.buildStatus).toBe('SUCCEEDED');
    project.remove('docker/services/todos/Dockerfile');
  });

  it('joins the build an idempotency token started, and refuses the token with other parameters', async () => {
    const request = { projectName: 'users-image', idempotencyToken: 'users:abc', environmentVariablesOverride: [{ name: 'IMAGE_TAG', value: 'abc' }] };
    const first = await codebuild.send(new StartBuildCommand(request));
    const again = await codebuild.send(new StartBuildCommand(request));
    expect(again.build?.id).toBe(first.build?.id);
    expect(
      await errorName(codebuild.send(new StartBuildCommand({ ...request, environmentVariablesOverride: [{ name: 'IMAGE_TAG', value: 'other' }] }))),
    ).toBe('InvalidInputException');
    await waitForBuild(codebuild, first.build!.id!);
  });

  it('honours sourceLocationOverride, buildspecOverride and DOCKERFILE', async () => {
    // This source has neither a buildspec.yml nor a Dockerfile at its root: the build succeeds only if the
    // inline buildspec and the DOCKERFILE variable are used.
    project.write('docker/services/todos/build/Dockerfile.prod', 'FROM node:22-alpine\nCMD ["node", "-e", "1"]\n');
    const done = await build('users-image', {
      sourceLocationOverride: 'docker/services/todos',
      buildspecOverride: VALID_BUILDSPEC,
      environmentVariablesOverride: [{ name: 'DOCKERFILE', value: 'build/Dockerfile.prod' }],
    });
    expect(done.buildStatus).toBe('SUCCEEDED');
    expect(done.source?.location).toBe('docker/services/todos');
  });
});

describe('failing builds', () => {
  it('fails in BUILD when the Dockerfile is missing, naming it, and still runs the later phases', async () => {
    project.write('docker/services/empty/buildspec.yml', VALID_BUILDSPEC);
    const done = await build('users-image', { sourceLocationOverride: 'docker/services/empty' });
    expect(done.buildStatus).toBe('FAILED');
    expect(phase(done, 'BUILD')).toMatchObject({
      phaseStatus: 'FAILED',
      contexts: [{ statusCode: 'COMMAND_EXECUTION_ERROR', message: 'Dockerfile not found: docker/services/empty/Dockerfile' }],
    });
    // After a failed BUILD, POST_BUILD runs and UPLOAD_ARTIFACTS is always attempted.
    expect(done.phases?.map((p) => p.phaseType)).toEqual(ALL_PHASES);
    expect(phase(done, 'POST_BUILD')?.phaseStatus).toBe('SUCCEEDED');
    expect(done.exportedEnvironmentVariables?.find((v) => v.name === 'IMAGE_DIGEST')).toBeUndefined();
  });

  it('fails in BUILD when the Dockerfile is malformed', async () => {
    project.write('docker/services/broken/buildspec.yml', VALID_BUILDSPEC);
    project.write('docker/services/broken/Dockerfile', 'RUN echo before from\nFROM node:22\nCOPYY . .\nEXPOSE\n');
    const done = await build('users-image', { sourceLocationOverride: 'docker/services/broken' });
    expect(done.buildStatus).toBe('FAILED');
    const message = phase(done, 'BUILD')?.contexts?.[0].message ?? '';
    expect(message).toContain('Dockerfile is malformed: docker/services/broken/Dockerfile');
    expect(message).toContain('line 1: RUN before the first FROM');
    expect(message).toContain('line 3: unknown instruction: COPYY');
    expect(message).toContain('line 4: EXPOSE requires at least one argument');
  });

  it.each([
    ['a wrong version', 'version: 0.3\nphases:\n  build:\n    commands:\n      - make\n', "invalid buildspec version '0.3'"],
    ['an unknown phase', 'version: 0.2\nphases:\n  compile:\n    commands:\n      - make\n', "unknown phase 'compile'"],
    ['a non-string command', 'version: 0.2\nphases:\n  build:\n    commands:\n      - run: make\n', 'commands[0] to be of string type'],
    ['broken YAML', 'version: 0.2\nphases:\n  build:\n    commands: [unclosed\n', 'YAML_FILE_ERROR'],
    ['no phases', 'version: 0.2\nenv:\n  variables:\n    A: b\n', "needs a 'phases' mapping"],
  ])('fails in DOWNLOAD_SOURCE with YAML_FILE_ERROR for %s', async (_case, buildspec, expected) => {
    const done = await build('users-image', { buildspecOverride: buildspec });
    expect(done.buildStatus).toBe('FAILED');
    const download = phase(done, 'DOWNLOAD_SOURCE');
    expect(download?.phaseStatus).toBe('FAILED');
    expect(download?.contexts?.[0].statusCode).toBe('YAML_FILE_ERROR');
    expect(download?.contexts?.[0].message).toContain(expected);
    // A failure before BUILD goes straight to FINALIZING.
    expect(done.phases?.map((p) => p.phaseType)).toEqual([
      'SUBMITTED',
      'QUEUED',
      'PROVISIONING',
      'DOWNLOAD_SOURCE',
      'FINALIZING',
      'COMPLETED',
    ]);
  });

  it('fails when the buildspec file named by the project does not exist', async () => {
    const done = await build('users-image', { buildspecOverride: 'ci/missing.yml' });
    expect(phase(done, 'DOWNLOAD_SOURCE')?.contexts?.[0]).toEqual({
      statusCode: 'YAML_FILE_ERROR',
      message: 'YAML_FILE_ERROR: buildspec not found: docker/services/users/ci/missing.yml',
    });
  });

  it('fails in DOWNLOAD_SOURCE when the source directory does not exist', async () => {
    const done = await build('users-image', { sourceLocationOverride: 'docker/services/nowhere' });
    expect(phase(done, 'DOWNLOAD_SOURCE')).toMatchObject({
      phaseStatus: 'FAILED',
      contexts: [{ statusCode: 'CLIENT_ERROR', message: 'source directory not found: docker/services/nowhere' }],
    });
  });

  it('fails in BUILD with the injected reason when builds are set to fail', async () => {
    faults.set({ failBuilds: true, failBuildReason: 'injected: registry unreachable' });
    const done = await build('users-image');
    expect(done.buildStatus).toBe('FAILED');
    expect(phase(done, 'BUILD')).toMatchObject({
      phaseStatus: 'FAILED',
      contexts: [{ statusCode: 'COMMAND_EXECUTION_ERROR', message: 'injected: registry unreachable' }],
    });
    expect(phase(done, 'PRE_BUILD')?.phaseStatus).toBe('SUCCEEDED');
  });

  it('fails in BUILD without privilegedMode (Docker needs it)', async () => {
    const done = await build('users-image', { privilegedModeOverride: false });
    expect(phase(done, 'BUILD')?.contexts?.[0].message).toContain('Cannot connect to the Docker daemon');
  });

  it('fails in POST_BUILD when the ECR repository does not exist', async () => {
    const done = await build('users-image', { environmentVariablesOverride: [{ name: 'IMAGE_REPO_NAME', value: 'no-such-repo' }] });
    expect(done.buildStatus).toBe('FAILED');
    expect(phase(done, 'BUILD')?.phaseStatus).toBe('SUCCEEDED');
    expect(phase(done, 'POST_BUILD')?.phaseStatus).toBe('FAILED');
    expect(phase(done, 'POST_BUILD')?.contexts?.[0].message).toContain('RepositoryNotFoundException');
  });

  it('refuses to move a tag in an IMMUTABLE repository', async () => {
    await ecr.send(new CreateRepositoryCommand({ repositoryName: 'frozen', imageTagMutability: 'IMMUTABLE' }));
    const tagged = [
      { name: 'IMAGE_REPO_NAME', value: 'frozen' },
      { name: 'IMAGE_TAG', value: 'release' },
    ];
    expect((await build('users-image', { environmentVariablesOverride: tagged })).buildStatus).toBe('SUCCEEDED');
    project.write('docker/services/users/server.js', 'console.log("changed");\n');
    try {
      const second = await build('users-image', { environmentVariablesOverride: tagged });
      expect(phase(second, 'POST_BUILD')?.contexts?.[0].message).toContain('ImageTagAlreadyExistsException');
    } finally {
      project.write('docker/services/users/server.js', 'console.log("users");\n');
    }
  });
});
