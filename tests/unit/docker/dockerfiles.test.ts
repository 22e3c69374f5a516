import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { Keyword, type Copy, type From, type Healthcheck } from 'dockerfile-ast';
import {
  DOCKER_DIR,
  REPO_ROOT,
  buildContexts,
  envOf,
  finalStage,
  listFiles,
  parseDockerfile,
  readContextFile,
  referenceSpec,
  withKeyword,
} from './docker-files';

const KEYWORDS = new Set<string>(Object.values(Keyword));
const contexts = buildContexts();
const spec = referenceSpec();

/** A pinned reference: an explicit release tag (at least major.minor, never `latest`) or a sha256 digest. */
function isPinned(from: From): boolean {
  const digest = from.getImageDigest();
  if (digest) return /^sha256:[0-9a-f]{64}$/.test(digest);
  const tag = from.getImageTag();
  return tag !== null && tag !== 'latest' && !tag.includes('latest') && /^v?\d+\.\d+/.test(tag);
}

/** The JSON (exec) form of ENTRYPOINT/CMD, so no shell sits between the signal and the process. */
function execForm(raw: string | null): string[] {
  const parsed: unknown = JSON.parse(raw ?? 'null');
  if (!Array.isArray(parsed) || !parsed.every((part) => typeof part === 'string')) throw new Error(`not exec form: ${raw}`);
  return parsed as string[];
}

/** The patterns of a `*` + `!file` .dockerignore: which context files reach the Docker daemon. */
function dockerignoreAllows(context: string, file: string): boolean {
  const lines = readContextFile(context, '.dockerignore')
    .split('\n')
    .map((l) => l.trim())
    .filter((l) => l !== '' && !l.startsWith('#'));
  let included = true;
  for (const line of lines) {
    const negated = line.startsWith('!');
    const pattern = negated ? line.slice(1) : line;
    if (pattern === '*' || pattern === file) included = negated;
  }
  return included;
}

describe('docker build contexts', () => {
  it('has a Dockerfile for every build context of the reference mesh and for the sidecar image', () => {
    const wanted = [spec.serverContext, ...spec.services.map((s) => s.context), 'docker/consul-dataplane'];
    for (const context of wanted) expect(contexts).toContain(context);
  });

  it.each(contexts)('%s: parses into known instructions, starting with FROM', (context) => {
    const dockerfile = parseDockerfile(context);
    const instructions = dockerfile.getInstructions();
    expect(instructions.length).toBeGreaterThan(3);
    for (const instruction of instructions) {
      expect(KEYWORDS).toContain(instruction.getKeyword());
      expect(instruction.getArguments().length).toBeGreaterThan(0);
    }
    const firstNonArg = instructions.find((i) => i.getKeyword() !== 'ARG');
    expect(firstNonArg?.getKeyword()).toBe('FROM');
  });

  it.each(contexts)('%s: pins every base image to a release tag or digest', (context) => {
    const stages: string[] = [];
    for (const from of parseDockerfile(context).getFROMs()) {
      const image = from.getImageName() ?? '';
      // `FROM <earlier stage>` builds on the same build, not on a registry image.
      if (!stages.includes(image)) expect({ image: from.getImage(), pinned: isPinned(from) }).toEqual({ image: from.getImage(), pinned: true });
      const stage = from.getBuildStage();
      if (stage) stages.push(stage);
    }
  });

  it.each(contexts)('%s: copies from earlier stages and from files the .dockerignore lets through', (context) => {
    const dockerfile = parseDockerfile(context);
    const stages = dockerfile.getFROMs().map((f) => f.getBuildStage());
    expect(withKeyword(dockerfile.getInstructions(), 'ADD')).toEqual([]);
    for (const copy of dockerfile.getCOPYs() as Copy[]) {
      const from = copy.getFromFlag()?.getValue();
      const sources = copy.getArguments().slice(0, -1).map((a) => a.getValue());
      if (from) {
        expect(stages).toContain(from);
      } else {
        for (const source of sources) {
          expect(existsSync(join(REPO_ROOT, context, source))).toBe(true);
          expect(dockerignoreAllows(context, source)).toBe(true);
        }
      }
    }
    expect(dockerignoreAllows(context, 'Dockerfile.local-notes')).toBe(false);
  });

  it.each(contexts)('%s: runs as a non-root user, with a health check and an exec-form entrypoint', (context) => {
    const runtime = finalStage(parseDockerfile(context));
    const users = withKeyword(runtime, 'USER');
    expect(users.length).toBeGreaterThan(0);
    const user = (users[users.length - 1].getArgumentsContent() ?? '').split(':')[0];
    expect(['', 'root', '0']).not.toContain(user);

    const healthchecks = withKeyword(runtime, 'HEALTHCHECK') as Healthcheck[];
    expect(healthchecks).toHaveLength(1);
    expect(healthchecks[0].getSubcommand()?.getValue()).toBe('CMD');
    const flags = Object.fromEntries(healthchecks[0].getFlags().map((f) => [f.getName(), f.getValue()]));
    expect(flags).toEqual(expect.objectContaining({ interval: expect.any(String), timeout: expect.any(String), retries: expect.any(String) }));

    const start = [...withKeyword(runtime, 'ENTRYPOINT'), ...withKeyword(runtime, 'CMD')];
    expect(start.length).toBeGreaterThan(0);
    for (const instruction of start) expect(execForm(instruction.getRawArgumentsContent()).length).toBeGreaterThan(0);
  });
});

describe('no world-writable files or directories', () => {
  const files = listFiles(DOCKER_DIR);

  it.each(files.map((f) => [f.slice(REPO_ROOT.length + 1), f]))('%s grants no write access to others', (_name, file) => {
    const text = readFileSync(file, 'utf8');
    expect(text).not.toMatch(/\ba\+w\b|\bo\+w\b|\bugo\+w\b/);
    expect(text).not.toMatch(/chmod\s+(-R\s+)?777/);
    // Every octal mode given to chmod or COPY --chmod: the "others" digit must not carry the write bit (2).
    const modes = [...text.matchAll(/(?:chmod(?:\s+-R)?\s+|--chmod=)(0?[0-7]{3,4})\b/g)].map((m) => m[1]);
    for (const mode of modes) expect({ mode, othersWrite: (Number.parseInt(mode.slice(-1), 8) & 2) !== 0 }).toEqual({ mode, othersWrite: false });
  });
});

describe('consul-server image', () => {
  const dockerfile = parseDockerfile('docker/consul-server');
  const froms = dockerfile.getFROMs();

  it('builds the Consul version the reference mesh declares', () => {
    const consul = froms.find((f) => f.getImageName() === 'hashicorp/consul');
    expect(consul?.getImageTag()).toBe(spec.serverVersion);
  });

  it('copies the consul and envoy binaries from their pinned release images', () => {
    const copies = (dockerfile.getCOPYs() as Copy[]).map((c) => ({ from: c.getFromFlag()?.getValue(), args: c.getArguments().map((a) => a.getValue()) }));
    const stageOf = (image: string) => froms.find((f) => f.getImageName() === image)?.getBuildStage();
    expect(copies).toContainEqual({ from: stageOf('hashicorp/consul'), args: ['/bin/consul', '/usr/local/bin/consul'] });
    expect(copies).toContainEqual({ from: stageOf('envoyproxy/envoy'), args: ['/usr/local/bin/envoy', '/usr/local/bin/envoy'] });
  });

  it('starts through the entrypoint script, which it copies executable', () => {
    const runtime = finalStage(dockerfile);
    expect(execForm(withKeyword(runtime, 'ENTRYPOINT')[0].getRawArgumentsContent())).toEqual(['/usr/local/bin/docker-entrypoint.sh']);
    const copy = (dockerfile.getCOPYs() as Copy[]).find((c) => c.getArguments()[0].getValue() === 'entrypoint.sh');
    expect(copy?.getFlags().map((f) => `${f.getName()}=${f.getValue()}`)).toContain('chmod=0755');
  });

  it('exposes the Consul server ports of the tutorial plus gRPC TLS for consul-dataplane', () => {
    const exposed = withKeyword(finalStage(dockerfile), 'EXPOSE').flatMap((i) => i.getArguments().map((a) => a.getValue()));
    for (const port of ['8300', '8301', '8301/udp', '8302', '8500', '8501', '8502', '8503', '8600', '8600/udp']) expect(exposed).toContain(port);
  });
});

describe('consul-dataplane image', () => {
  const dockerfile = parseDockerfile('docker/consul-dataplane');

  it('takes consul-dataplane, envoy and dumb-init from the pinned hashicorp/consul-dataplane release', () => {
    const upstream = dockerfile.getFROMs().find((f) => f.getImageName() === 'hashicorp/consul-dataplane');
    expect(upstream?.getImageTag()).toMatch(/^1\.6\.\d+$/);
    const fromUpstream = (dockerfile.getCOPYs() as Copy[])
      .filter((c) => c.getFromFlag()?.getValue() === upstream?.getBuildStage())
      .flatMap((c) => c.getArguments().slice(0, -1).map((a) => a.getValue()));
    expect(fromUpstream).toEqual(expect.arrayContaining(['/usr/local/bin/consul-dataplane', '/usr/local/bin/envoy', '/usr/local/bin/dumb-init']));
  });

  it('runs the entrypoint under dumb-init so Envoy is reaped and signalled', () => {
    const entrypoint = withKeyword(finalStage(dockerfile), 'ENTRYPOINT')[0];
    expect(execForm(entrypoint.getRawArgumentsContent())).toEqual(['/usr/local/bin/dumb-init', '--', '/usr/local/bin/docker-entrypoint.sh']);
  });
});

describe('sample service images', () => {
  it.each(spec.services.map((s) => [s.name, s]))('%s: serves the port and name the mesh spec gives it', (name, service) => {
    const runtime = finalStage(parseDockerfile(service.context));
    const env = envOf(runtime);
    expect(env.SERVICE_NAME).toBe(name);
    expect(Number(env.PORT)).toBe(service.port);
    expect(withKeyword(runtime, 'EXPOSE').flatMap((i) => i.getArguments().map((a) => a.getValue()))).toEqual([String(service.port)]);
    expect(withKeyword(runtime, 'USER').map((u) => u.getArgumentsContent())).toEqual(['node']);
    expect(execForm(withKeyword(runtime, 'CMD')[0].getRawArgumentsContent())).toEqual(['node', 'server.js']);
    expect(parseDockerfile(service.context).getFROMs()[0].getImage()).toMatch(/^node:22\.\d+\.\d+-alpine3\.\d+$/);
  });

  it('ships one identical server.js in every service context', () => {
    const sources = spec.services.map((s) => readContextFile(s.context, 'server.js'));
    expect(sources.length).toBe(4);
    for (const source of sources) expect(source).toBe(sources[0]);
  });
});
