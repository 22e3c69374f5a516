import { createHash } from 'node:crypto';
import type { CodeBuildApi } from '../adapters/codebuild';
import type { EcrApi } from '../adapters/ecr';
import type { MeshSpec, BuildContextSpec, CpuArchitecture } from '../domain/spec/schema';
import { SERVER_SERVICE_NAME } from '../domain/naming';
import { BuildFailedError, SpecInvalidError } from '../errors';
import { IMAGE_KEY } from '../domain/ecs/containers';
import { BUILD_PLATFORMS } from './build-platform';
import { buildSourceLocation } from './build-source';

/** One image the deployment needs: either given (`image:`) or built from a context (`build:`). */
export interface ImageJob {
  /** The spec name it belongs to: a service name or `consul-server`. */
  name: string;
  /** ECR repository for built images (`<mesh>/<name>`), absent for given images. */
  repository?: string;
  tag?: string;
  /** sha256 of the build context: names its zip in the build-source bucket (see build-source.ts). */
  contentHash?: string;
  context?: string;
  dockerfile?: string;
  /** The image reference as given in the spec (`users:1.0.0`), for images that are not built. */
  image?: string;
  /** The CPU architecture a built image is for (the spec's network.cpuArchitecture); ARM64 when absent. */
  architecture?: CpuArchitecture;
}

/**
 * The ECR tag of a built image: derived from the context's content hash and the architecture it is built for, so
 * equal content for the same platform → equal tag, and an architecture change is a new image.
 */
export function imageTagFor(contentHash: string, architecture: CpuArchitecture): string {
  return `ctx-${contentHash.slice(0, 32)}-${BUILD_PLATFORMS[architecture].tagSuffix}`;
}

/**
 * Lists the images of a spec in a stable order. Build contexts must carry their `contentHash` (filled in by the
 * CLI where the files are); a missing one is a spec problem named by its path.
 */
export function planImages(spec: MeshSpec): ImageJob[] {
  const jobs: ImageJob[] = [];
  const missing: Array<{ path: string; message: string }> = [];
  const add = (name: string, path: string, image: string | undefined, build: BuildContextSpec | undefined) => {
    if (build) {
      if (!build.contentHash) {
        missing.push({ path: `${path}.build.contentHash`, message: 'is required to build: submit the spec with `meshctl deploy` or `npm start`, which hash the build context' });
        return;
      }
      const architecture = spec.network.cpuArchitecture;
      jobs.push({ name, repository: `${spec.name}/${name}`, tag: imageTagFor(build.contentHash, architecture), contentHash: build.contentHash, context: build.context, dockerfile: build.dockerfile, architecture });
    } else if (image) {
      jobs.push({ name, image });
    }
  };
  const servers = spec.consul.servers;
  add(SERVER_SERVICE_NAME, 'consul.servers', servers.image ?? (servers.build ? undefined : `hashicorp/consul:${servers.version}`), servers.build);
  const dataplane = spec.consul.dataplane;
  if (dataplane.image || dataplane.build) add(IMAGE_KEY.dataplane, 'consul.dataplane', dataplane.image, dataplane.build);
  else missing.push({ path: 'consul.dataplane', message: 'needs an image, or a build context (meshctl fills docker/consul-dataplane by default)' });
  spec.clusters.forEach((cluster, ci) =>
    cluster.services.forEach((service, si) => add(service.name, `clusters[${ci}].services[${si}]`, service.image, service.build)),
  );
  if (missing.length > 0) throw new SpecInvalidError(missing);
  return jobs;
}

export interface ImageBuildDeps {
  ecr: Pick<EcrApi, 'describeRepository' | 'createRepository' | 'describeImages'>;
  codebuild: Pick<CodeBuildApi, 'startBuild' | 'batchGetBuilds'>;
  /** The CodeBuild project that runs docker/buildspec.yml. */
  project: string;
  /** The bucket holding the build contexts (`contexts/<contentHash>.zip`). */
  sourceBucket: string;
  /** The text of docker/buildspec.yml: the source zip holds the build context only. */
  buildspec: string;
}

export type ImageBuildState =
  | { name: string; status: 'READY'; imageUri: string; built: false }
  | { name: string; status: 'IN_PROGRESS'; imageUri: string; buildId: string; phase: string }
  | { name: string; status: 'SUCCEEDED'; imageUri: string; buildId: string; digest?: string; built: true };

/**
 * Ensures the image of a job exists: a given image is used as is; a built one is looked up by its content tag in
 * ECR ("does this image already exist" asked the way it is on AWS) and a CodeBuild build starts only when absent.
 * Idempotent: re-running with an unchanged context starts no build.
 */
export async function ensureImage(job: ImageJob, deps: ImageBuildDeps, deploymentId = ''): Promise<ImageBuildState> {
  if (!job.repository || !job.tag) return { name: job.name, status: 'READY', imageUri: job.image ?? '', built: false };
  const repositoryUri = await ensureRepository(job.repository, deps.ecr);
  const imageUri = `${repositoryUri}:${job.tag}`;
  try {
    await deps.ecr.describeImages(job.repository, [{ imageTag: job.tag }]);
    return { name: job.name, status: 'READY', imageUri, built: false };
  } catch (error) {
    if ((error as Error).name !== 'ImageNotFoundException') throw error;
  }
  if (!job.contentHash) throw new BuildFailedError(`the build of ${job.name} has no content hash: its context cannot be found in the build-source bucket`);
  // The build host has the tasks' architecture and docker builds for it explicitly (build-platform.ts).
  const platform = BUILD_PLATFORMS[job.architecture ?? 'ARM64'];
  const build = await deps.codebuild.startBuild({
    projectName: deps.project,
    // The source is the zip of exactly the files the tag's content hash was computed from (uploaded by meshctl),
    // not a repository: the build runs at the zip's root, the context. The zip holds no buildspec, so it comes
    // with the request (CodeBuild: an inline buildspecOverride replaces the project's for this build).
    sourceTypeOverride: 'S3',
    sourceLocationOverride: buildSourceLocation(deps.sourceBucket, job.contentHash),
    buildspecOverride: deps.buildspec,
    environmentTypeOverride: platform.environmentType,
    imageOverride: platform.image,
    // A retried step of the same deployment joins the same build; another deployment (e.g. a re-run after a failed
    // build) starts a new one. CodeBuild keeps a token for 5 minutes.
    idempotencyToken: createHash('sha256').update(`${deploymentId}:${job.repository}:${job.tag}`).digest('hex').slice(0, 64),
    environmentVariablesOverride: [
      { name: 'IMAGE_REPO_NAME', value: job.repository, type: 'PLAINTEXT' },
      { name: 'IMAGE_TAG', value: job.tag, type: 'PLAINTEXT' },
      { name: 'DOCKERFILE', value: job.dockerfile ?? 'Dockerfile', type: 'PLAINTEXT' },
      { name: 'IMAGE_PLATFORM', value: platform.dockerPlatform, type: 'PLAINTEXT' },
    ],
  });
  if (!build?.id) throw new BuildFailedError(`CodeBuild did not start a build for ${job.name}`);
  return { name: job.name, status: 'IN_PROGRESS', imageUri, buildId: build.id, phase: build.currentPhase ?? 'SUBMITTED' };
}

/**
 * Polls one build. IN_PROGRESS → still running; SUCCEEDED → done; anything else throws `BuildFailed` naming the
 * failed phase and CodeBuild's reason, which the state machine records as the deployment's cause.
 */
export async function checkImageBuild(
  state: { name: string; buildId: string; imageUri: string },
  deps: Pick<ImageBuildDeps, 'codebuild'>,
): Promise<ImageBuildState> {
  const [build] = await deps.codebuild.batchGetBuilds([state.buildId]);
  if (!build) throw new BuildFailedError(`build ${state.buildId} of ${state.name} not found`);
  if (build.buildStatus === 'IN_PROGRESS') {
    return { name: state.name, status: 'IN_PROGRESS', imageUri: state.imageUri, buildId: state.buildId, phase: build.currentPhase ?? 'UNKNOWN' };
  }
  if (build.buildStatus === 'SUCCEEDED') {
    const digest = build.exportedEnvironmentVariables?.find((v) => v.name === 'IMAGE_DIGEST')?.value;
    return { name: state.name, status: 'SUCCEEDED', imageUri: state.imageUri, buildId: state.buildId, digest, built: true };
  }
  const failed = build.phases?.find((p) => p.phaseStatus && p.phaseStatus !== 'SUCCEEDED');
  const reason = failed?.contexts?.map((c) => c.message).filter(Boolean).join('; ') || build.buildStatus;
  throw new BuildFailedError(`image build for ${state.name} ended ${build.buildStatus} in phase ${failed?.phaseType ?? build.currentPhase}: ${reason}`);
}

async function ensureRepository(name: string, ecr: ImageBuildDeps['ecr']): Promise<string> {
  try {
    const uri = (await ecr.describeRepository(name))?.repositoryUri;
    if (uri) return uri;
  } catch (error) {
    if ((error as Error).name !== 'RepositoryNotFoundException') throw error;
  }
  try {
    const created = await ecr.createRepository({ repositoryName: name, imageTagMutability: 'IMMUTABLE', imageScanningConfiguration: { scanOnPush: true } });
    return created?.repositoryUri ?? name;
  } catch (error) {
    // Two builds of the same mesh may race to create the repository: the loser reads it back.
    if ((error as Error).name !== 'RepositoryAlreadyExistsException') throw error;
    return (await ecr.describeRepository(name))?.repositoryUri ?? name;
  }
}
