/** Temporary project trees for CodeBuild tests: a project root in the OS temp directory holding build contexts. */
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';

export interface TempProject {
  readonly root: string;
  /** Write (or overwrite) a file at a path relative to the root. */
  write(relativePath: string, content: string): void;
  remove(relativePath: string): void;
  cleanup(): void;
}

export function createTempProject(prefix = 'codebuild-test-'): TempProject {
  const root = mkdtempSync(join(tmpdir(), prefix));
  return {
    root,
    write(relativePath, content) {
      const path = join(root, relativePath);
      mkdirSync(dirname(path), { recursive: true });
      writeFileSync(path, content);
    },
    remove(relativePath) {
      rmSync(join(root, relativePath), { recursive: true, force: true });
    },
    cleanup() {
      rmSync(root, { recursive: true, force: true });
    },
  };
}

export const VALID_BUILDSPEC = `version: 0.2
env:
  exported-variables:
    - SERVICE_NAME
phases:
  pre_build:
    commands:
      - aws ecr get-login-password | docker login --username AWS --password-stdin "$REGISTRY"
  build:
    commands:
      - docker build -t "$IMAGE_REPO_NAME:$IMAGE_TAG" .
  post_build:
    commands:
      - docker push "$REGISTRY/$IMAGE_REPO_NAME:$IMAGE_TAG"
`;

export const VALID_DOCKERFILE = `# syntax=docker/dockerfile:1
ARG NODE_VERSION=22
FROM node:\${NODE_VERSION}-alpine
WORKDIR /app
COPY server.js .
EXPOSE 8080
CMD ["node", "server.js"]
`;
