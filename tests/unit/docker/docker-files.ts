import { readdirSync, readFileSync } from 'node:fs';
import { join, relative, resolve } from 'node:path';
import { DockerfileParser, type Dockerfile, type Instruction } from 'dockerfile-ast';
import { parse } from 'yaml';

/** Where the images' build contexts live, and the repository root the mesh spec's contexts are relative to. */
export const REPO_ROOT = resolve(__dirname, '../../..');
export const DOCKER_DIR = join(REPO_ROOT, 'docker');

/** Every file under a directory, as absolute paths, in a stable order. */
export function listFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true })
    .flatMap((entry) => (entry.isDirectory() ? listFiles(join(dir, entry.name)) : [join(dir, entry.name)]))
    .sort();
}

/** Build contexts under docker/ (folders with a Dockerfile), relative to the repository root. */
export function buildContexts(): string[] {
  return listFiles(DOCKER_DIR)
    .filter((file) => file.endsWith('/Dockerfile'))
    .map((file) => relative(REPO_ROOT, file.slice(0, -'/Dockerfile'.length)));
}

export function readContextFile(context: string, name: string): string {
  return readFileSync(join(REPO_ROOT, context, name), 'utf8');
}

export function parseDockerfile(context: string): Dockerfile {
  return DockerfileParser.parse(readContextFile(context, 'Dockerfile'));
}

/** The instructions of the last stage: the image that runs. */
export function finalStage(dockerfile: Dockerfile): Instruction[] {
  const froms = dockerfile.getFROMs();
  const lastFrom = froms[froms.length - 1];
  const startLine = lastFrom.getRange().start.line;
  return dockerfile.getInstructions().filter((i) => i.getRange().start.line >= startLine);
}

/** The instructions of a keyword (upper case) in a list. */
export function withKeyword(instructions: Instruction[], keyword: string): Instruction[] {
  return instructions.filter((i) => i.getKeyword() === keyword);
}

/** `KEY=value` pairs of the ENV instructions of a stage (the `ENV KEY=value KEY2=value2` form). */
export function envOf(instructions: Instruction[]): Record<string, string> {
  const env: Record<string, string> = {};
  for (const instruction of withKeyword(instructions, 'ENV')) {
    for (const arg of instruction.getArguments()) {
      const text = arg.getValue();
      const eq = text.indexOf('=');
      if (eq > 0) env[text.slice(0, eq)] = text.slice(eq + 1);
    }
  }
  return env;
}

export interface SpecService {
  name: string;
  cluster: string;
  port: number;
  context: string;
  upstreams: Array<{ service: string; localBindPort: number }>;
}

interface RawSpec {
  consul: { servers: { version: string; build?: { context: string } } };
  clusters: Array<{
    name: string;
    services: Array<{ name: string; port: number; build?: { context: string }; upstreams?: Array<{ service: string; localBindPort: number }> }>;
  }>;
}

/** The reference topology as written in examples/mesh.yaml (read raw: these tests check files, not the schema). */
export function referenceSpec(): { serverVersion: string; serverContext: string | undefined; services: SpecService[] } {
  const raw = parse(readFileSync(join(REPO_ROOT, 'examples/mesh.yaml'), 'utf8')) as RawSpec;
  return {
    serverVersion: raw.consul.servers.version,
    serverContext: raw.consul.servers.build?.context,
    services: raw.clusters.flatMap((cluster) =>
      cluster.services.map((s) => ({
        name: s.name,
        cluster: cluster.name,
        port: s.port,
        context: s.build?.context ?? '',
        upstreams: s.upstreams ?? [],
      })),
    ),
  };
}
