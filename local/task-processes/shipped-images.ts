import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { DockerfileParser, type Copy, type Instruction } from 'dockerfile-ast';
import { digestBuildContext } from '../aws/codebuild/context-digest';

/**
 * The images the project ships (the build contexts under `docker/`), recognised by the digest the local CodeBuild
 * gives an image built from them, and what each one contains, read from its Dockerfile.
 *
 * An image the local cloud did not build from one of these contexts (a public image, a test's `nginx:fail-x`) is
 * unknown: nothing is checked inside it, it runs as its tag says (README, "Local cloud").
 */

/** What a base image ships: the official `node:*-alpine*` and `alpine` images have busybox (`sh`, `wget`, `nc`); `debian:*-slim` has `sh` but no curl, wget or nc. */
const BASE_IMAGES: ReadonlyArray<{ pattern: RegExp; programs: readonly string[] }> = [
  { pattern: /^node:\d+\.\d+\.\d+-alpine\d+\.\d+$/, programs: ['sh', 'wget', 'nc', 'node'] },
  { pattern: /^alpine:\d+\.\d+(\.\d+)?$/, programs: ['sh', 'wget', 'nc'] },
  { pattern: /^debian:\d+(\.\d+)?-slim$/, programs: ['sh'] },
];

/** Programs of the packages the Dockerfiles install (`apt-get install` / `apk add`); an unknown package adds none. */
const PACKAGE_PROGRAMS: Readonly<Record<string, readonly string[]>> = {
  curl: ['curl'],
  jq: ['jq'],
  wget: ['wget'],
  'netcat-openbsd': ['nc'],
  'libcap2-bin': ['setcap', 'getcap'],
};

/** One of the project's images. */
export interface ShippedImage {
  /** The build context, relative to the project root: `docker/consul-server`, `docker/services/users`, ... */
  readonly context: string;
  readonly contextDir: string;
  /** Programs on the image's PATH; undefined when its base image is not one the local cloud knows. */
  readonly programs: ReadonlySet<string> | undefined;
  /** Programs the image copies from its own build context (e.g. a health-check script), by name: the file's path. */
  readonly contextPrograms: ReadonlyMap<string, string>;
}

/** The platforms the local CodeBuild builds for: the digest of an image covers its platform. */
const PLATFORMS = ['linux/amd64', 'linux/arm64'];

function dockerContexts(dir: string): string[] {
  if (!existsSync(dir)) return [];
  const found: string[] = [];
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    if (!entry.isDirectory()) continue;
    const path = join(dir, entry.name);
    if (existsSync(join(path, 'Dockerfile'))) found.push(path);
    found.push(...dockerContexts(path));
  }
  return found;
}

/** The instructions of the last stage (the image that runs). */
function finalStage(instructions: Instruction[], lastFromLine: number): Instruction[] {
  return instructions.filter((i) => i.getRange().start.line >= lastFromLine);
}

/** The programs the final stage of a Dockerfile provides: its base image's, its packages', the binaries it copies in. */
export function programsOfDockerfile(text: string): Set<string> | undefined {
  const dockerfile = DockerfileParser.parse(text);
  const from = dockerfile.getFROMs().at(-1);
  const base = BASE_IMAGES.find((b) => b.pattern.test(from?.getImage() ?? ''));
  if (!from || !base) return undefined;
  const programs = new Set(base.programs);
  const stage = finalStage(dockerfile.getInstructions(), from.getRange().start.line);
  for (const run of stage.filter((i) => i.getKeyword() === 'RUN')) {
    const text = run.getArgumentsContent() ?? '';
    for (const match of text.matchAll(/(?:apt-get install|apk add)((?:\s+(?:-[-\w]+|[a-z0-9][a-z0-9.+-]*))+)/g)) {
      for (const word of match[1].trim().split(/\s+/)) for (const program of PACKAGE_PROGRAMS[word] ?? []) programs.add(program);
    }
  }
  // Binaries copied onto the PATH (COPY --from=<stage> /usr/local/bin/x ... /usr/local/bin/), by file name.
  for (const copy of stage.filter((i) => i.getKeyword() === 'COPY') as Copy[]) {
    const args = copy.getArguments().map((a) => a.getValue());
    const destination = args[args.length - 1];
    for (const source of args.slice(0, -1)) {
      const target = destination.endsWith('/') ? `${destination}${source.split('/').pop()}` : destination;
      if (/^\/(usr\/local\/)?s?bin\//.test(target)) programs.add(target.split('/').pop() as string);
    }
  }
  return programs;
}

/** The programs the final stage copies onto the PATH from the build context itself (`COPY <file> /usr/local/bin/x`). */
export function contextProgramsOfDockerfile(text: string, contextDir: string): Map<string, string> {
  const dockerfile = DockerfileParser.parse(text);
  const from = dockerfile.getFROMs().at(-1);
  const found = new Map<string, string>();
  if (!from) return found;
  for (const copy of finalStage(dockerfile.getInstructions(), from.getRange().start.line).filter((i) => i.getKeyword() === 'COPY') as Copy[]) {
    if (copy.getFromFlag()) continue;
    const args = copy.getArguments().map((a) => a.getValue());
    const destination = args[args.length - 1];
    for (const source of args.slice(0, -1)) {
      const target = destination.endsWith('/') ? `${destination}${source.split('/').pop()}` : destination;
      if (/^\/(usr\/local\/)?s?bin\//.test(target)) found.set(target.split('/').pop() as string, join(contextDir, source));
    }
  }
  return found;
}

/** The project's images by the digests the local CodeBuild gives them. */
export class ShippedImages {
  private byDigest?: Map<string, ShippedImage>;

  constructor(private readonly projectRoot: string) {}

  /** The shipped image a digest (`sha256:...`) names, or undefined. */
  find(digest: string): ShippedImage | undefined {
    if (!this.byDigest) this.byDigest = this.index();
    return this.byDigest.get(digest);
  }

  private index(): Map<string, ShippedImage> {
    const map = new Map<string, ShippedImage>();
    for (const contextDir of dockerContexts(join(this.projectRoot, 'docker'))) {
      const dockerfile = join(contextDir, 'Dockerfile');
      const text = readFileSync(dockerfile, 'utf8');
      const image: ShippedImage = {
        context: relative(this.projectRoot, contextDir).split('\\').join('/'),
        contextDir,
        programs: programsOfDockerfile(text),
        contextPrograms: contextProgramsOfDockerfile(text, contextDir),
      };
      for (const platform of PLATFORMS) map.set(digestBuildContext(contextDir, dockerfile, platform).digest, image);
    }
    return map;
  }
}
