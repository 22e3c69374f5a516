/**
 * Image builds read exactly the hashed build context from S3: ensureImage starts a CodeBuild build whose source is
 * `s3://<BuildSourceBucket>/contexts/<contentHash>.zip` (uploaded the way meshctl does), the local CodeBuild
 * downloads and extracts it and derives the image from those bytes. A context never uploaded fails the build in
 * DOWNLOAD_SOURCE as CodeBuild does (CLIENT_ERROR, NoSuchKey).
 */
import { BatchGetBuildsCommand, CodeBuildClient } from '@aws-sdk/client-codebuild';
import { ECRClient } from '@aws-sdk/client-ecr';
import { GetObjectCommand, S3Client } from '@aws-sdk/client-s3';
import { unzipSync } from 'fflate';
import { readBuildContext } from '../../../layers/build-context';
import { buildContextKey, uploadBuildContexts } from '../../../layers/deploy/build-source';
import { loadImageBuildspec } from '../../../layers/deploy/buildspec';
import { checkImageBuild, ensureImage, imageTagFor, type ImageBuildDeps, type ImageJob } from '../../../layers/deploy/images';
import { digestBuildContext, type LocalCloud } from '@consul-mesh/local-cloud';
import { createTempProject, VALID_DOCKERFILE, type TempProject } from '../local/support/build-context';
import { ROOT, startCloud } from '../deploy/harness';
import { createCodeBuildApi } from '../../../layers/adapters/codebuild';
import { createEcrApi } from '../../../layers/adapters/ecr';
import { createS3Api } from '../../../layers/adapters/s3';

let cloud: LocalCloud;
let project: TempProject;
let deps: ImageBuildDeps;
let s3: S3Client;
let codebuild: CodeBuildClient;

beforeAll(async () => {
  cloud = await startCloud();
  const client = { endpoint: cloud.endpoints.aws, region: 'us-east-1', credentials: { accessKeyId: 'test', secretAccessKey: 'test' } };
  s3 = new S3Client(client);
  codebuild = new CodeBuildClient(client);
  deps = {
    ecr: createEcrApi(new ECRClient(client)),
    codebuild: createCodeBuildApi(codebuild),
    project: 'consul-mesh-local-images',
    sourceBucket: cloud.buckets.BuildSourceBucket,
    buildspec: loadImageBuildspec({ LAMBDA_TASK_ROOT: ROOT }),
  };
  project = createTempProject('build-source-');
  project.write('svc/Dockerfile', VALID_DOCKERFILE);
  project.write('svc/server.js', 'console.log("v1");\n');
  project.write('svc/lib/util.js', 'module.exports = 1;\n');
  // Not part of a context: never hashed, never uploaded.
  project.write('svc/node_modules/dep/index.js', 'ignored');
}, 60_000);

afterAll(async () => {
  s3?.destroy();
  codebuild?.destroy();
  project?.cleanup();
  await cloud?.stop();
});

function jobFor(contentHash: string, name = 'users'): ImageJob {
  return { name, repository: `reference-mesh/${name}`, tag: imageTagFor(contentHash, 'ARM64'), contentHash, context: 'svc', dockerfile: 'Dockerfile', architecture: 'ARM64' };
}

/** Polls the build to its end, as the state machine's wait loop does. */
async function buildToEnd(job: ImageJob, deploymentId: string) {
  const started = await ensureImage(job, deps, deploymentId);
  if (started.status !== 'IN_PROGRESS') throw new Error(`expected a build, got ${started.status}`);
  for (;;) {
    const state = await checkImageBuild(started, deps);
    if (state.status !== 'IN_PROGRESS') return { state, buildId: started.buildId };
    await new Promise((r) => setTimeout(r, 20));
  }
}

async function zipEntries(contentHash: string): Promise<Record<string, string>> {
  const object = await s3.send(new GetObjectCommand({ Bucket: deps.sourceBucket, Key: buildContextKey(contentHash) }));
  const entries = unzipSync(await (object.Body as { transformToByteArray(): Promise<Uint8Array> }).transformToByteArray());
  return Object.fromEntries(Object.entries(entries).map(([name, bytes]) => [name, Buffer.from(bytes).toString('utf8')]));
}

describe('an image built from the uploaded context', () => {
  let first: ReturnType<typeof readBuildContext>;
  let firstDigest: string | undefined;

  it('uploads the zip of exactly the hashed files, once', async () => {
    first = readBuildContext(`${project.root}/svc`);
    expect(first.files.map((f) => f.path)).toEqual(['Dockerfile', 'lib/util.js', 'server.js']);

    expect(await uploadBuildContexts([first], { s3: createS3Api(s3), bucket: deps.sourceBucket })).toEqual({ uploaded: [first.contentHash], present: [] });
    expect(await uploadBuildContexts([first], { s3: createS3Api(s3), bucket: deps.sourceBucket })).toEqual({ uploaded: [], present: [first.contentHash] });
    expect(await zipEntries(first.contentHash)).toEqual(Object.fromEntries(first.files.map((f) => [f.path, f.content.toString('utf8')])));
  });

  it('builds from s3://<bucket>/contexts/<hash>.zip with the bundled buildspec, and the image is those files', async () => {
    const { state, buildId } = await buildToEnd(jobFor(first.contentHash), 'd-first');
    expect(state.status).toBe('SUCCEEDED');

    const { builds } = await codebuild.send(new BatchGetBuildsCommand({ ids: [buildId] }));
    expect(builds?.[0].source).toMatchObject({ type: 'S3', location: `${deps.sourceBucket}/contexts/${first.contentHash}.zip`, buildspec: deps.buildspec });
    expect(builds?.[0].phases?.find((p) => p.phaseType === 'DOWNLOAD_SOURCE')?.phaseStatus).toBe('SUCCEEDED');
    // The simulated image digest is a hash over the files the build extracted: equal to the one over the context's
    // own files (node_modules left out), so the build's input was exactly the hashed files.
    const expected = digestBuildContext(`${project.root}/svc`, `${project.root}/svc/Dockerfile`, 'linux/arm64').digest;
    firstDigest = state.status === 'SUCCEEDED' ? state.digest : undefined;
    expect(firstDigest).toBe(expected);
  });

  it('a changed file gives a new hash, a new zip, a new tag and a new image; the old zip stays', async () => {
    project.write('svc/server.js', 'console.log("v2");\n');
    const second = readBuildContext(`${project.root}/svc`);
    expect(second.contentHash).not.toBe(first.contentHash);
    expect(imageTagFor(second.contentHash, 'ARM64')).not.toBe(imageTagFor(first.contentHash, 'ARM64'));
    expect(await uploadBuildContexts([second], { s3: createS3Api(s3), bucket: deps.sourceBucket })).toEqual({ uploaded: [second.contentHash], present: [] });
    expect((await zipEntries(second.contentHash))['server.js']).toBe('console.log("v2");\n');
    expect((await zipEntries(first.contentHash))['server.js']).toBe('console.log("v1");\n');

    const { state } = await buildToEnd(jobFor(second.contentHash), 'd-second');
    expect(state.status).toBe('SUCCEEDED');
    expect(state.status === 'SUCCEEDED' && state.digest).toBe(digestBuildContext(`${project.root}/svc`, `${project.root}/svc/Dockerfile`, 'linux/arm64').digest);
    expect(state.status === 'SUCCEEDED' && state.digest).not.toBe(firstDigest);
  });

  it('a context never uploaded fails the build in DOWNLOAD_SOURCE with CLIENT_ERROR NoSuchKey', async () => {
    project.write('svc/server.js', 'console.log("never uploaded");\n');
    const missing = readBuildContext(`${project.root}/svc`);
    const job = jobFor(missing.contentHash);
    const started = await ensureImage(job, deps, 'd-missing');
    if (started.status !== 'IN_PROGRESS') throw new Error('expected a build');
    let failure: Error | undefined;
    for (let i = 0; i < 500 && !failure; i += 1) {
      try {
        const state = await checkImageBuild(started, deps);
        if (state.status !== 'IN_PROGRESS') throw new Error(`the build ended ${state.status}`);
        await new Promise((r) => setTimeout(r, 20));
      } catch (error) {
        failure = error as Error;
      }
    }
    expect(failure?.name).toBe('BuildFailed');
    expect(failure?.message).toContain(`ended FAILED in phase DOWNLOAD_SOURCE: error while downloading key contexts/${missing.contentHash}.zip, error: NoSuchKey`);
    const { builds } = await codebuild.send(new BatchGetBuildsCommand({ ids: [started.buildId] }));
    expect(builds?.[0].phases?.find((p) => p.phaseType === 'DOWNLOAD_SOURCE')?.contexts?.[0]?.statusCode).toBe('CLIENT_ERROR');
  });
});
