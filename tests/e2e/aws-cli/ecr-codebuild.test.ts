/**
 * ECR, S3 and CodeBuild driven by the real AWS CLI: a repository, a build context zipped and copied to S3 with
 * `aws s3 cp`, a build project whose source is that object, a build that runs through CodeBuild's phases and
 * pushes its image, and the image as ECR then describes it.
 */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { readBuildContext, zipContextFiles } from '../../../layers/build-context';
import { S3Provider, CodeBuildProvider, EcrProvider, Faults } from '@consul-mesh/local-cloud';
import { z } from 'zod';
import { createTempProject, VALID_BUILDSPEC, VALID_DOCKERFILE, type TempProject } from '../../integration/local/support/build-context';
import { expectRecent, startCliCloud, type CliCloud } from './local-cloud';
import { codebuildBuild, codebuildProject, ecrImageDetail, ecrRepository } from './shapes';

/** CodeBuild's phases in the order a successful build goes through them. */
const PHASES = ['SUBMITTED', 'QUEUED', 'PROVISIONING', 'DOWNLOAD_SOURCE', 'INSTALL', 'PRE_BUILD', 'BUILD', 'POST_BUILD', 'UPLOAD_ARTIFACTS', 'FINALIZING', 'COMPLETED'];
const UNKNOWN_BUILD = 'users-image:00000000-0000-4000-8000-000000000000';
const batchGetBuilds = z.object({ builds: z.array(codebuildBuild), buildsNotFound: z.array(z.string()) });

let cloud: CliCloud;
let project: TempProject;
let codebuild: CodeBuildProvider;
const since = Date.now();

beforeAll(async () => {
  project = createTempProject('aws-cli-e2e-build-');
  project.write('docker/services/users/Dockerfile', VALID_DOCKERFILE);
  project.write('docker/services/users/buildspec.yml', VALID_BUILDSPEC);
  project.write('docker/services/users/server.js', 'console.log("users");\n');
  const faults = new Faults(3);
  const ecr = new EcrProvider();
  const s3 = new S3Provider();
  codebuild = new CodeBuildProvider({ registry: ecr, projectRoot: project.root, faults, s3: s3.store });
  cloud = await startCliCloud([ecr, codebuild], faults, s3);
});

afterAll(async () => {
  codebuild?.close();
  await cloud?.close();
  project?.cleanup();
});

describe('an image built with CodeBuild and pushed to ECR', () => {
  let imageDigest = '';

  it('creates the ECR repository', async () => {
    const output = await cloud.cli.ok(['ecr', 'create-repository', '--repository-name', 'users']);

    const { repository } = z.object({ repository: ecrRepository }).parse(output);
    expect(repository).toMatchObject({ repositoryName: 'users', repositoryArn: 'arn:aws:ecr:us-east-1:000000000000:repository/users' });
    expect(repository.repositoryUri).toMatch(/^000000000000\.dkr\.ecr\.us-east-1\.[\w.:-]+\/users$/);
    expectRecent(repository.createdAt, since);
  });

  it('copies the zipped build context to S3', async () => {
    const zip = join(cloud.cli.dir, 'users.zip');
    writeFileSync(zip, zipContextFiles(readBuildContext(join(project.root, 'docker/services/users')).files));
    expect((await cloud.cli.run(['s3', 'mb', 's3://build-sources'], { text: true })).exitCode).toBe(0);
    expect((await cloud.cli.run(['s3', 'cp', zip, 's3://build-sources/contexts/users.zip'], { text: true })).exitCode).toBe(0);
  });

  it('creates a project from a JSON file and runs a build through every phase to SUCCEEDED', async () => {
    const projectJson = {
      name: 'users-image',
      source: { type: 'S3', location: 'build-sources/contexts/users.zip' },
      artifacts: { type: 'NO_ARTIFACTS' },
      environment: {
        type: 'LINUX_CONTAINER',
        image: 'aws/codebuild/standard:7.0',
        computeType: 'BUILD_GENERAL1_SMALL',
        privilegedMode: true,
        environmentVariables: [{ name: 'IMAGE_REPO_NAME', value: 'users', type: 'PLAINTEXT' }],
      },
      serviceRole: 'arn:aws:iam::000000000000:role/codebuild',
    };
    const created = await cloud.cli.ok(['codebuild', 'create-project', '--cli-input-json', cloud.cli.fileRef('project.json', JSON.stringify(projectJson))]);
    expect(z.object({ project: codebuildProject }).parse(created).project.arn).toBe('arn:aws:codebuild:us-east-1:000000000000:project/users-image');

    const started = await cloud.cli.ok(['codebuild', 'start-build', '--project-name', 'users-image', '--environment-variables-override', 'name=IMAGE_TAG,value=v1,type=PLAINTEXT']);
    const { build } = z.object({ build: codebuildBuild }).parse(started);
    expect(build).toMatchObject({ projectName: 'users-image', buildNumber: 1 });

    // An unknown id in the same batch is listed in buildsNotFound, not an error.
    const getBuilds = async () => batchGetBuilds.parse(await cloud.cli.ok(['codebuild', 'batch-get-builds', '--ids', build.id, UNKNOWN_BUILD]));
    let batch = await getBuilds();
    for (let attempt = 0; !batch.builds[0]?.buildComplete && attempt < 5; attempt++) batch = await getBuilds();

    expect(batch.buildsNotFound).toEqual([UNKNOWN_BUILD]);
    const [done] = batch.builds;
    expect(done).toMatchObject({ id: build.id, buildStatus: 'SUCCEEDED', currentPhase: 'COMPLETED', buildComplete: true });
    expect(done.phases.map((p) => p.phaseType)).toEqual(PHASES);
    expect(done.endTime).toBeGreaterThanOrEqual(done.startTime);
    expectRecent(done.startTime, since);
    const exported = Object.fromEntries(done.exportedEnvironmentVariables.map((v) => [v.name, v.value]));
    expect(exported.IMAGE_TAG).toBe('v1');
    expect(exported.IMAGE_DIGEST).toMatch(/^sha256:[0-9a-f]{64}$/);
    imageDigest = exported.IMAGE_DIGEST;
  });

  it('describes the pushed image in ECR under its tag and digest', async () => {
    const output = await cloud.cli.ok(['ecr', 'describe-images', '--repository-name', 'users']);

    const { imageDetails } = z.object({ imageDetails: z.array(ecrImageDetail) }).parse(output);
    expect(imageDetails).toHaveLength(1);
    expect(imageDetails[0]).toMatchObject({ repositoryName: 'users', registryId: '000000000000', imageDigest, imageTags: ['v1'] });
    expectRecent(imageDetails[0].imagePushedAt, since);
  });
});
