import { readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { ConfigError } from '../errors';

/** The buildspec of every image build, shipped in the ensureImage function's package (serverless.yml `package.patterns`). */
export const IMAGE_BUILDSPEC_PATH = 'docker/buildspec.yml';

/**
 * The text of docker/buildspec.yml, read once at cold start from the function's package: `LAMBDA_TASK_ROOT` on
 * Lambda (and in the local cloud), the repository root otherwise. It travels with each StartBuild as
 * `buildspecOverride`, since the build's source zip holds the build context only.
 * @throws ConfigError when the file is not in the package.
 */
export function loadImageBuildspec(env: NodeJS.ProcessEnv = process.env): string {
  const root = env.LAMBDA_TASK_ROOT ?? resolve(__dirname, '../..');
  const path = join(root, IMAGE_BUILDSPEC_PATH);
  try {
    return readFileSync(path, 'utf8');
  } catch (error) {
    throw new ConfigError(`the image buildspec ${IMAGE_BUILDSPEC_PATH} is not in the function's package (${path})`, { cause: error });
  }
}
