/**
 * The CPU architecture of a build: CodeBuild's environment type decides the host (ARM_CONTAINER and the other ARM
 * types run on aarch64, the Linux ones on x86_64), and `docker build` makes images for its host unless told
 * `--platform` (the buildspec passes `IMAGE_PLATFORM`). CodeBuild's hosts have no emulator for another
 * architecture, so an image for a foreign platform cannot be built, and a curated `aws/codebuild/...` image, which
 * is single-architecture, cannot run on a host of the other one.
 */

/** EnvironmentType values of the CodeBuild API (botocore's service model). */
export const ENVIRONMENT_TYPES = [
  'WINDOWS_CONTAINER',
  'LINUX_CONTAINER',
  'LINUX_GPU_CONTAINER',
  'ARM_CONTAINER',
  'WINDOWS_SERVER_2019_CONTAINER',
  'WINDOWS_SERVER_2022_CONTAINER',
  'LINUX_LAMBDA_CONTAINER',
  'ARM_LAMBDA_CONTAINER',
  'LINUX_EC2',
  'ARM_EC2',
  'WINDOWS_EC2',
  'MAC_ARM',
] as const;

/** What a built image records in its config (`architecture`, `os`), Docker's names. */
export interface ImagePlatform {
  readonly os: string;
  readonly architecture: string;
}

/** The Docker platform of a build host, e.g. `linux/arm64` for ARM_CONTAINER. */
export function hostPlatform(environmentType: string): string {
  if (environmentType.startsWith('ARM_') || environmentType === 'MAC_ARM') return environmentType === 'MAC_ARM' ? 'darwin/arm64' : 'linux/arm64';
  if (environmentType.startsWith('WINDOWS')) return 'windows/amd64';
  return 'linux/amd64';
}

/** The architecture of a curated CodeBuild image, from its name, or undefined for other images (multi-arch or unknown). */
export function curatedImageArchitecture(image: string): 'arm64' | 'amd64' | undefined {
  if (!image.startsWith('aws/codebuild/')) return undefined;
  if (/aarch64|arm/.test(image)) return 'arm64';
  if (/x86_64|\/standard:|windows/.test(image)) return 'amd64';
  return undefined;
}

export function parsePlatform(platform: string): ImagePlatform | undefined {
  const match = /^([a-z]+)\/([a-z0-9]+)$/.exec(platform);
  return match ? { os: match[1], architecture: match[2] } : undefined;
}
