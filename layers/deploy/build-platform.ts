import type { EnvironmentType } from '@aws-sdk/client-codebuild';
import type { CpuArchitecture } from '../domain/spec/schema';

/** How an image is built for one ECS CPU architecture (the spec's `network.cpuArchitecture`). */
export interface BuildPlatform {
  /** `docker build --platform` (the buildspec reads it from `IMAGE_PLATFORM`). */
  dockerPlatform: 'linux/arm64' | 'linux/amd64';
  /** Appended to the content tag: the same context built for another architecture is another image. */
  tagSuffix: 'arm64' | 'amd64';
  /**
   * The CodeBuild environment whose host has that architecture, so `docker build` runs natively: CodeBuild's hosts
   * have no QEMU, and a RUN step of a foreign-architecture image fails with "exec format error".
   */
  environmentType: Extract<EnvironmentType, 'ARM_CONTAINER' | 'LINUX_CONTAINER'>;
  /**
   * A curated CodeBuild image of that architecture (Amazon Linux 2023 based, "Docker images provided by CodeBuild");
   * curated images are single-architecture, so the image must match the environment type.
   */
  image: string;
}

export const BUILD_PLATFORMS: Record<CpuArchitecture, BuildPlatform> = {
  ARM64: {
    dockerPlatform: 'linux/arm64',
    tagSuffix: 'arm64',
    environmentType: 'ARM_CONTAINER',
    image: 'aws/codebuild/amazonlinux-aarch64-standard:3.0',
  },
  X86_64: {
    dockerPlatform: 'linux/amd64',
    tagSuffix: 'amd64',
    environmentType: 'LINUX_CONTAINER',
    image: 'aws/codebuild/amazonlinux-x86_64-standard:5.0',
  },
};
