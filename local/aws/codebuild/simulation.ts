/**
 * What each phase of a simulated build does. There is no Docker engine: the simulation checks what a real
 * build would trip over and computes the image a real build would push.
 *
 * - PROVISIONING: a curated `aws/codebuild/...` image matches the architecture of the environment type's host
 *   (curated images are single-architecture); see platform.ts.
 * - DOWNLOAD_SOURCE: an S3 source (`<bucket>/<key>.zip`) is read from the local S3 and extracted into a
 *   directory of its own (a missing bucket or key fails the phase with CLIENT_ERROR, as CodeBuild does; a key
 *   ending in `/` is a folder: every object under it); any other source type stands for a repository checkout, a
 *   directory relative to the project root. Then the buildspec loads and validates (CodeBuild reports buildspec
 *   problems as YAML_FILE_ERROR in this phase); a buildspec path is looked up in the source root, then (for a
 *   checkout) in the project root.
 * - BUILD: injected failures; Docker needs `privilegedMode`; an `IMAGE_PLATFORM` (docker build --platform) other
 *   than the host's fails, as the buildspec's check does (no emulator on CodeBuild hosts); the Dockerfile (env `DOCKERFILE`, default
 *   `Dockerfile` in the source root) exists and is well formed; the image digest is computed over the build
 *   context (env `BUILD_CONTEXT`, default the source root).
 * - POST_BUILD: after a successful BUILD, the image is pushed to ECR when `IMAGE_REPO_NAME` (or
 *   `IMAGE_REPOSITORY`) is set, tagged `IMAGE_TAG` (default: the first 12 hex digits of the digest), recording the
 *   platform it was built for (`IMAGE_PLATFORM`, else the host's: docker builds for its host by default).
 */
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, posix, resolve } from 'node:path';
import { unzipSync } from 'fflate';
import type { Faults } from '../../faults/faults';
import { AwsServiceError, LOCAL_ACCOUNT_ID } from '../protocol';
import { loadBuildspec, type Buildspec, type BuildspecPhase } from './buildspec';
import { digestBuildContext, type ContextDigest } from './context-digest';
import { checkDockerfile } from './dockerfile';
import type { PhaseType } from './phases';
import { curatedImageArchitecture, hostPlatform, parsePlatform, type ImagePlatform } from './platform';
import type { PhaseContext, StoredBuild } from './store';
import { parseObjectLocation } from '../s3/location';
import type { S3Store } from '../s3/store';
import { repositoryArn } from '../iam/actions';
import type { AuthorizationRequest } from '../iam/policy';

/** `docker push`: puts an image in the registry and says where it went. */
export type PushImage = (
  region: string,
  repositoryName: string,
  tag: string,
  digest: string,
  sizeBytes: number,
  platform?: ImagePlatform,
) => { repositoryUri: string };

export interface SimulationDependencies {
  /** Local source locations are resolved against this directory. */
  readonly projectRoot: string;
  readonly faults: Faults;
  readonly push: PushImage;
  /** The local S3, where S3 sources are read from; without it an S3 source cannot be downloaded. */
  readonly s3?: Pick<S3Store, 'getObject' | 'listObjects'>;
  /**
   * IAM: what the build does with its project's service role (download the S3 source, push to ECR) is authorized
   * against that role; returns the denial message of the first refused request, undefined when all are allowed.
   */
  readonly serviceRoleDenial?: (build: { serviceRole: string; id: string; region: string }, requests: AuthorizationRequest[]) => string | undefined;
}

export type PhaseOutcome = { readonly ok: true } | { readonly ok: false; readonly context: PhaseContext };

const OK: PhaseOutcome = { ok: true };

function fail(statusCode: string, message: string): PhaseOutcome {
  return { ok: false, context: { statusCode, message } };
}

function isDirectory(path: string): boolean {
  return existsSync(path) && statSync(path).isDirectory();
}

/** Writes `name` under `root`; false (nothing written) when the name would leave it (`../`, absolute paths). */
function writeInside(root: string, name: string, content: Buffer): boolean {
  const target = resolve(root, name);
  if (!target.startsWith(`${root}/`)) return false;
  mkdirSync(dirname(target), { recursive: true });
  writeFileSync(target, content);
  return true;
}

function isFile(path: string): boolean {
  return existsSync(path) && statSync(path).isFile();
}

export class BuildSimulation {
  private sourceDir?: string;
  private sourceLabel = '';
  private buildspec?: Buildspec;
  private env: Record<string, string> = {};
  private image?: ContextDigest;
  private imageUri?: string;
  private imageTag?: string;
  private buildFailed = false;
  /** The directory an S3 source was extracted into; removed by {@link BuildSimulation.dispose}. */
  private extracted?: string;

  constructor(
    private readonly build: StoredBuild,
    private readonly deps: SimulationDependencies,
    private readonly log: (line: string) => void,
  ) {}

  run(phase: PhaseType): PhaseOutcome {
    const phaseName = phase.toLowerCase() as BuildspecPhase;
    for (const command of this.buildspec?.phases[phaseName]?.commands ?? []) this.log(`Running command ${command}`);
    switch (phase) {
      case 'PROVISIONING':
        return this.provision();
      case 'DOWNLOAD_SOURCE':
        return this.downloadSource();
      case 'BUILD': {
        const outcome = this.buildImage();
        this.buildFailed = !outcome.ok;
        return outcome;
      }
      case 'POST_BUILD':
        return this.pushImage();
      default:
        return OK;
    }
  }

  /** `IMAGE_DIGEST`, `IMAGE_TAG`, `IMAGE_URI` when known, plus the buildspec's `env.exported-variables`. */
  exportedVariables(): { name: string; value: string }[] {
    const exported: Record<string, string> = {};
    for (const name of this.buildspec?.exportedVariables ?? []) {
      if (this.env[name] !== undefined) exported[name] = this.env[name];
    }
    if (this.image) exported.IMAGE_DIGEST = this.image.digest;
    if (this.imageTag !== undefined) exported.IMAGE_TAG = this.imageTag;
    if (this.imageUri !== undefined) exported.IMAGE_URI = this.imageUri;
    return Object.entries(exported).map(([name, value]) => ({ name, value }));
  }

  /** The build's platform: what `docker build` makes on this host (its environment type), unless IMAGE_PLATFORM says otherwise. */
  private get host(): string {
    return hostPlatform(this.build.environment.type);
  }

  private provision(): PhaseOutcome {
    const { image, type } = this.build.environment;
    const imageArchitecture = curatedImageArchitecture(image);
    const hostArchitecture = this.host.split('/')[1];
    if (imageArchitecture !== undefined && imageArchitecture !== hostArchitecture) {
      return fail('CLIENT_ERROR', `image ${image} is built for ${imageArchitecture} and cannot run in a ${type} environment (${this.host})`);
    }
    this.log(`Provisioned a ${type} environment (${this.host}) with ${image}`);
    return OK;
  }

  /** Removes what the build left on disk (an extracted S3 source). */
  dispose(): void {
    if (this.extracted) rmSync(this.extracted, { recursive: true, force: true });
    this.extracted = undefined;
  }

  /** Downloads an S3 source into a fresh directory: a zip is extracted, a folder (`.../`) copied object by object. */
  private downloadS3Source(location: string): PhaseOutcome {
    const object = parseObjectLocation(location);
    if (!object) return fail('CLIENT_ERROR', `invalid S3 source location: ${location} (expected <bucket>/<key>)`);
    const { key } = object;
    if (!this.deps.s3) return fail('CLIENT_ERROR', `error while downloading key ${key}: no S3 service`);
    // CodeBuild reads the source with the project's service role (a folder source: each object under it).
    const denied = this.deps.serviceRoleDenial?.(this.build, [{ action: 's3:GetObject', resource: `arn:aws:s3:::${object.bucket}/${key}${key.endsWith('/') ? '*' : ''}`, context: {} }]);
    if (denied) return fail('CLIENT_ERROR', `error while downloading key ${key}, error: AccessDenied: ${denied} for primary source`);
    const dir = mkdtempSync(join(tmpdir(), 'codebuild-src-'));
    this.extracted = dir;
    try {
      if (key.endsWith('/')) {
        for (const stored of this.deps.s3.listObjects(object.bucket, { prefix: key }).contents) {
          writeInside(dir, stored.key.slice(key.length), stored.body);
        }
      } else {
        const body = this.deps.s3.getObject(object.bucket, key).body;
        let entries: Record<string, Uint8Array>;
        try {
          entries = unzipSync(new Uint8Array(body));
        } catch (error) {
          return fail('CLIENT_ERROR', `zip: not a valid zip file: ${key}: ${(error as Error).message}`);
        }
        for (const [name, content] of Object.entries(entries)) {
          if (name.endsWith('/')) continue;
          if (!writeInside(dir, name, Buffer.from(content))) return fail('CLIENT_ERROR', `zip: illegal file path in archive: ${name}`);
        }
      }
    } catch (error) {
      const code = (error as { code?: unknown }).code;
      if (code === 'NoSuchKey' || code === 'NoSuchBucket') {
        // CodeBuild's wording for a source object it cannot get.
        return fail('CLIENT_ERROR', `error while downloading key ${key}, error: ${code}: ${(error as Error).message} for primary source`);
      }
      throw error;
    }
    this.sourceDir = dir;
    this.sourceLabel = `s3://${object.bucket}/${key}`;
    this.log(`Source downloaded from s3://${object.bucket}/${key}`);
    return OK;
  }

  private downloadSource(): PhaseOutcome {
    const { source } = this.build;
    if (source.type === 'S3') {
      const downloaded = this.downloadS3Source(source.location ?? '');
      if (!downloaded.ok) return downloaded;
    } else if (source.type !== 'NO_SOURCE') {
      const location = source.location ?? '';
      if (location.trim() === '') return fail('CLIENT_ERROR', 'source location is empty');
      const dir = resolve(this.deps.projectRoot, location);
      if (!isDirectory(dir)) return fail('CLIENT_ERROR', `source directory not found: ${location}`);
      this.sourceDir = dir;
      this.sourceLabel = location;
      this.log(`Source downloaded from ${location}`);
    }
    // A checkout stands in for the whole repository, so a buildspec path may also name a file of the project root;
    // an S3 source is all the build has.
    const roots =
      this.sourceDir === undefined
        ? []
        : [{ dir: this.sourceDir, label: this.sourceLabel }, ...(source.type === 'S3' ? [] : [{ dir: this.deps.projectRoot, label: '.' }])];
    const loaded = loadBuildspec(source.buildspec, roots);
    if ('error' in loaded) return fail('YAML_FILE_ERROR', loaded.error);
    this.buildspec = loaded.buildspec;
    // Precedence (lowest first): buildspec env, built-ins, project environment, StartBuild overrides
    // (the last two are already merged into the build's environment).
    this.env = {
      ...loaded.buildspec.variables,
      CODEBUILD_BUILD_ID: this.build.id,
      CODEBUILD_BUILD_ARN: this.build.arn,
      CODEBUILD_BUILD_NUMBER: String(this.build.buildNumber),
      CODEBUILD_SRC_DIR: this.sourceDir ?? '',
      AWS_REGION: this.build.region,
      AWS_DEFAULT_REGION: this.build.region,
      ...Object.fromEntries(this.build.environment.environmentVariables.map((v) => [v.name, v.value])),
    };
    return OK;
  }

  private buildImage(): PhaseOutcome {
    const { faults } = this.deps;
    if (faults.current.failBuilds) return fail('COMMAND_EXECUTION_ERROR', faults.current.failBuildReason);
    if (!this.build.environment.privilegedMode) {
      return fail(
        'COMMAND_EXECUTION_ERROR',
        'Cannot connect to the Docker daemon at unix:///var/run/docker.sock. Is the docker daemon running? ' +
          '(Docker builds need privilegedMode)',
      );
    }
    const requested = this.env.IMAGE_PLATFORM;
    if (requested && requested !== this.host) {
      return fail('COMMAND_EXECUTION_ERROR', `IMAGE_PLATFORM is ${requested} but this build host is ${this.host}: start the build in the environment type of that architecture`);
    }
    const dockerfileName = this.env.DOCKERFILE || 'Dockerfile';
    const label = posix.join(this.sourceLabel, dockerfileName);
    const dockerfile = this.sourceDir !== undefined ? resolve(this.sourceDir, dockerfileName) : undefined;
    if (dockerfile === undefined || !isFile(dockerfile)) return fail('COMMAND_EXECUTION_ERROR', `Dockerfile not found: ${label}`);
    const problems = checkDockerfile(readFileSync(dockerfile, 'utf8'));
    if (problems.length > 0) {
      return fail('COMMAND_EXECUTION_ERROR', `Dockerfile is malformed: ${label}: ${problems.join('; ')}`);
    }
    const contextName = this.env.BUILD_CONTEXT || '.';
    const contextDir = resolve(this.sourceDir as string, contextName);
    if (!isDirectory(contextDir)) {
      return fail('COMMAND_EXECUTION_ERROR', `build context not found: ${posix.join(this.sourceLabel, contextName)}`);
    }
    this.image = digestBuildContext(contextDir, dockerfile, requested || this.host);
    this.log(`Built image from ${label}: ${this.image.fileCount} files, ${this.image.sizeBytes} bytes`);
    this.log(`Image digest: ${this.image.digest}`);
    return OK;
  }

  private pushImage(): PhaseOutcome {
    if (this.buildFailed || !this.image) {
      this.log('No image to push: the BUILD phase failed');
      return OK;
    }
    const repository = this.env.IMAGE_REPO_NAME || this.env.IMAGE_REPOSITORY;
    if (!repository) {
      this.log('No IMAGE_REPO_NAME set: the image is not pushed');
      return OK;
    }
    const tag = this.env.IMAGE_TAG || this.image.digest.slice('sha256:'.length, 'sha256:'.length + 12);
    // `aws ecr get-login-password | docker login` and `docker push` run with the project's service role (ECR user
    // guide, "Required IAM permissions for pushing an image").
    const repositoryResource = repositoryArn({ region: this.build.region, accountId: LOCAL_ACCOUNT_ID }, repository);
    const denied = this.deps.serviceRoleDenial?.(this.build, [
      { action: 'ecr:GetAuthorizationToken', resource: '*', context: {} },
      ...['ecr:BatchCheckLayerAvailability', 'ecr:InitiateLayerUpload', 'ecr:UploadLayerPart', 'ecr:CompleteLayerUpload', 'ecr:PutImage'].map((action) => ({ action, resource: repositoryResource, context: {} })),
    ]);
    if (denied) return fail('COMMAND_EXECUTION_ERROR', `docker push ${repository}:${tag} failed: denied: ${denied}`);
    try {
      const platform = parsePlatform(this.env.IMAGE_PLATFORM || this.host);
      const pushed = this.deps.push(this.build.region, repository, tag, this.image.digest, this.image.sizeBytes, platform);
      this.imageTag = tag;
      // Pinned by digest, as the buildspec reports it: what a task definition should run.
      this.imageUri = `${pushed.repositoryUri}@${this.image.digest}`;
      this.log(`${tag}: digest: ${this.image.digest} size: ${this.image.sizeBytes} platform: ${this.env.IMAGE_PLATFORM || this.host}`);
      return OK;
    } catch (error) {
      if (!(error instanceof AwsServiceError)) throw error;
      return fail('COMMAND_EXECUTION_ERROR', `docker push ${repository}:${tag} failed: ${error.code}: ${error.message}`);
    }
  }
}
