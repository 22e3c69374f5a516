import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse } from 'yaml';
import { BuildspecRunner, type Buildspec } from './buildspec-runner';
import { DOCKER_DIR, REPO_ROOT } from './docker-files';
import { run } from './processes';

const BUILDSPEC_PATH = join(DOCKER_DIR, 'buildspec.yml');
const text = readFileSync(BUILDSPEC_PATH, 'utf8');
const buildspec = parse(text) as Buildspec;

const CONTEXT = join(REPO_ROOT, 'docker/services/users');
const TAG = 'ctx-4f1c2a9e0b7d4c3f8a6e5d2c1b0a9f8e';
const REPO = 'reference-mesh/users';
const URI = `111122223333.dkr.ecr.us-east-1.amazonaws.com/${REPO}`;
const BUILD_INPUT = { IMAGE_REPO_NAME: REPO, IMAGE_TAG: TAG, DOCKERFILE: 'Dockerfile', IMAGE_PLATFORM: 'linux/arm64' };

describe('docker/buildspec.yml (static)', () => {
  it('is a version 0.2 buildspec whose phases hold lists of shell commands', () => {
    expect(String(buildspec.version)).toBe('0.2');
    const phases = Object.keys(buildspec.phases);
    expect(phases).toEqual(['pre_build', 'build', 'post_build']);
    for (const name of phases) {
      const phase = buildspec.phases[name];
      expect(Object.keys(phase).every((key) => ['commands', 'on-failure', 'finally', 'run-as'].includes(key))).toBe(true);
      expect(Array.isArray(phase.commands)).toBe(true);
      expect(phase.commands.length).toBeGreaterThan(0);
      for (const command of phase.commands) expect(typeof command === 'string' && command.trim() !== '').toBe(true);
    }
  });

  it.each(Object.entries(buildspec.phases).flatMap(([name, phase]) => phase.commands.map((c, i) => [`${name}[${i}]`, c])))(
    'command %s is valid bash',
    async (_name, command) => {
      const result = await run('bash', ['-n', '-c', command], { PATH: process.env.PATH ?? '/usr/bin:/bin' });
      expect(result).toMatchObject({ code: 0, stderr: '' });
    },
  );

  it('declares its inputs, exports the digest and leaves AWS_DEFAULT_REGION to CodeBuild', () => {
    expect(buildspec.env?.variables).toMatchObject({ DOCKERFILE: 'Dockerfile', IMAGE_REPO_NAME: '', IMAGE_TAG: '', AWS_ACCOUNT_ID: '' });
    expect(buildspec.env?.variables).not.toHaveProperty('AWS_DEFAULT_REGION');
    expect(buildspec.env?.['exported-variables']).toEqual(expect.arrayContaining(['IMAGE_DIGEST', 'IMAGE_URI']));
    expect(buildspec.phases.pre_build['on-failure']).toBe('ABORT');
    expect(buildspec.phases.build['on-failure']).toBe('ABORT');
  });

  it('documents the privileged mode Docker builds need and never tags latest', () => {
    expect(text).toMatch(/privilegedMode: true/);
    const commands = Object.values(buildspec.phases).flatMap((p) => p.commands).join('\n');
    expect(commands).not.toMatch(/:latest\b/);
    expect(commands).toMatch(/docker build --pull/);
  });
});

describe('docker/buildspec.yml (executed with aws and docker test doubles)', () => {
  let runner: BuildspecRunner;

  beforeEach(() => {
    runner = new BuildspecRunner(buildspec);
  });

  afterEach(() => {
    runner.dispose();
  });

  it('logs in to ECR, builds with --pull and labels, pushes the content tag and exports the registry digest', async () => {
    const result = await runner.run(CONTEXT, BUILD_INPUT);

    expect(result.phases).toEqual([
      { name: 'pre_build', status: 'SUCCEEDED' },
      { name: 'build', status: 'SUCCEEDED' },
      { name: 'post_build', status: 'SUCCEEDED' },
    ]);
    const docker = result.calls.filter((c) => c.startsWith('docker '));
    expect(docker).toHaveLength(3);
    expect(docker[0]).toBe('docker login --username AWS --password-stdin 111122223333.dkr.ecr.us-east-1.amazonaws.com');
    expect(docker[1]).toMatch(/^docker build --pull --platform linux\/arm64 --file Dockerfile /);
    expect(docker[1]).toContain(`--label consul-mesh.content-hash=${TAG}`);
    expect(docker[1]).toMatch(new RegExp(`--tag ${URI}:${TAG} \\.$`));
    expect(docker[2]).toBe(`docker push ${URI}:${TAG}`);

    const digest = readFileSync(join(runner.state, 'images', TAG), 'utf8').trim();
    expect(digest).toMatch(/^sha256:[0-9a-f]{64}$/);
    expect(result.exported).toEqual({ IMAGE_DIGEST: digest, IMAGE_URI: `${URI}@${digest}` });
  });

  it('skips build and push when the content tag is already in ECR, and still exports its digest', async () => {
    const digest = `sha256:${'ab'.repeat(32)}`;
    runner.seedImage(TAG, digest);
    const result = await runner.run(CONTEXT, { ...BUILD_INPUT, AWS_ACCOUNT_ID: '444455556666' });

    expect(result.phases.map((p) => p.status)).toEqual(['SUCCEEDED', 'SUCCEEDED', 'SUCCEEDED']);
    expect(result.calls.filter((c) => /^docker (build|push)/.test(c))).toEqual([]);
    expect(result.calls).not.toContain('aws sts get-caller-identity --query Account --output text');
    expect(result.calls.filter((c) => c.startsWith('aws ecr describe-images')).every((c) => c.includes('--registry-id 444455556666'))).toBe(true);
    expect(result.exported).toEqual({ IMAGE_DIGEST: digest, IMAGE_URI: `${URI}@${digest}` });
  });

  it.each([
    ['latest', { IMAGE_TAG: 'latest' }, 'IMAGE_TAG must be'],
    ['an empty tag', { IMAGE_TAG: '' }, 'IMAGE_TAG must be'],
    ['no repository', { IMAGE_REPO_NAME: '' }, 'IMAGE_REPO_NAME is required'],
    ['a Dockerfile the context lacks', { DOCKERFILE: 'Dockerfile.prod' }, 'the build context has no Dockerfile.prod'],
    ['no platform', { IMAGE_PLATFORM: '' }, 'IMAGE_PLATFORM must be linux/arm64 or linux/amd64'],
    ['a platform other than the build host\'s (no emulator on CodeBuild)', { IMAGE_PLATFORM: 'linux/amd64' }, 'this build host is linux/arm64'],
  ])('fails pre_build and builds nothing for %s', async (_case, input, message) => {
    const result = await runner.run(CONTEXT, { ...BUILD_INPUT, ...input });
    expect(result.phases).toEqual([{ name: 'pre_build', status: 'FAILED' }]);
    expect(result.output).toContain(message);
    expect(result.calls.filter((c) => c.startsWith('docker '))).toEqual([]);
    expect(result.exported).toEqual({});
  });

  it('builds for linux/amd64 on an x86_64 host (LINUX_CONTAINER)', async () => {
    const result = await runner.run(CONTEXT, { ...BUILD_INPUT, IMAGE_PLATFORM: 'linux/amd64' }, { FAKE_MACHINE: 'x86_64' });
    expect(result.phases.map((p) => p.status)).toEqual(['SUCCEEDED', 'SUCCEEDED', 'SUCCEEDED']);
    expect(result.calls.find((c) => c.startsWith('docker build'))).toContain('--platform linux/amd64');
  });

  it('does not mistake an ECR error for an absent image', async () => {
    runner.throttleEcr();
    const result = await runner.run(CONTEXT, BUILD_INPUT);
    expect(result.phases).toEqual([{ name: 'pre_build', status: 'FAILED' }]);
    expect(result.output).toContain('ThrottlingException');
    expect(result.calls.filter((c) => c.startsWith('docker build'))).toEqual([]);
  });

  it('pushes nothing when docker build fails', async () => {
    const result = await runner.run(CONTEXT, BUILD_INPUT, { FAKE_BUILD_FAIL: '1' });
    expect(result.phases).toEqual([
      { name: 'pre_build', status: 'SUCCEEDED' },
      { name: 'build', status: 'FAILED' },
    ]);
    expect(result.calls.filter((c) => c.startsWith('docker push'))).toEqual([]);
    expect(result.exported).toEqual({});
  });
});
