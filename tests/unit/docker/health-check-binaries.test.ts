import type { ContainerDefinition, HealthCheck } from '@aws-sdk/client-ecs';
import { type Copy, type Healthcheck } from 'dockerfile-ast';
import { buildIngressTaskDefinition, buildServerTaskDefinition, buildServiceTaskDefinition } from '../../../layers/domain/ecs';
import { loadMeshSpec, type MeshSpec } from '../../../layers/domain/spec';
import { contextFor } from '../ecs/support';
import { finalStage, parseDockerfile, withKeyword } from './docker-files';

/**
 * The gate for "a health check only calls what its image contains": ECS runs a container's health check inside that
 * container, so a check calling a binary the image lacks leaves every task UNHEALTHY and the deployment circuit
 * breaker rolls the deployment back. For every image the project ships (each build context of examples/mesh.yaml),
 * the executables of the checks the task definitions give its container, and of the image's own HEALTHCHECK, must be
 * provided by the final stage: its base image, the packages it installs, or the binaries it copies in.
 */

/**
 * What a base image ships, from the images' own definitions: the official `node:*-alpine*` images are Alpine, whose
 * busybox provides `sh`, `wget` and `nc` (and the image adds `node`); `debian:*-slim` has `sh` (dash) but neither
 * curl, wget nor nc (the slim variants drop them).
 */
const BASE_IMAGES: Array<{ pattern: RegExp; binaries: string[] }> = [
  { pattern: /^node:\d+\.\d+\.\d+-alpine\d+\.\d+$/, binaries: ['sh', 'wget', 'nc', 'node'] },
  { pattern: /^alpine:\d+\.\d+(\.\d+)?$/, binaries: ['sh', 'wget', 'nc'] },
  { pattern: /^debian:\d+(\.\d+)?-slim$/, binaries: ['sh'] },
];

/** Executables of the packages the Dockerfiles install (apt-get install / apk add). */
const PACKAGE_BINARIES: Record<string, string[]> = {
  curl: ['curl'],
  jq: ['jq'],
  wget: ['wget'],
  'netcat-openbsd': ['nc'],
  'ca-certificates': [],
  libcap2: [],
  'libcap2-bin': ['setcap', 'getcap'],
};

/** Shell words that are not executables looked up in the image. */
const SHELL_BUILTINS = new Set(['exit', 'true', 'false', 'test', '[']);

/** The executables a final stage provides, read from its Dockerfile. */
function binariesOf(context: string): Set<string> {
  const runtime = finalStage(parseDockerfile(context));
  const base = parseDockerfile(context).getFROMs().at(-1)?.getImage() ?? '';
  const known = BASE_IMAGES.find((b) => b.pattern.test(base));
  if (!known) throw new Error(`${context}: unknown base image ${base}: say what it ships in BASE_IMAGES`);
  const binaries = new Set(known.binaries);
  for (const run of withKeyword(runtime, 'RUN')) {
    const text = run.getArgumentsContent() ?? '';
    for (const match of text.matchAll(/(?:apt-get install|apk add)((?:\s+(?:-[-\w]+|[a-z0-9][a-z0-9.+-]*))+)/g)) {
      for (const word of match[1].trim().split(/\s+/)) {
        if (word.startsWith('-')) continue;
        const provided = PACKAGE_BINARIES[word];
        if (!provided) throw new Error(`${context}: installs ${word}: say which executables it provides in PACKAGE_BINARIES`);
        for (const binary of provided) binaries.add(binary);
      }
    }
  }
  // Binaries copied in (COPY --from=<stage> /usr/local/bin/x ... /usr/local/bin/), named by their file name.
  for (const copy of withKeyword(runtime, 'COPY') as Copy[]) {
    const args = copy.getArguments().map((a) => a.getValue());
    const destination = args[args.length - 1];
    for (const source of args.slice(0, -1)) {
      const target = destination.endsWith('/') ? `${destination}${source.split('/').pop()}` : destination;
      if (/^\/(usr\/local\/)?s?bin\//.test(target)) binaries.add(target.split('/').pop() as string);
    }
  }
  return binaries;
}

/** The executables a health-check command calls: `CMD` runs one; `CMD-SHELL` needs `sh` and the first word of each command. */
function executablesOf(command: string[]): string[] {
  const [form, ...rest] = command;
  if (form === 'CMD') return [rest[0].split('/').pop() as string];
  if (form !== 'CMD-SHELL') throw new Error(`not an ECS health-check command: ${JSON.stringify(command)}`);
  const words = rest[0]
    .split(/\|\||&&|;|\|/)
    .map((part) => part.trim().split(/\s+/)[0])
    .filter((word) => word !== '' && !SHELL_BUILTINS.has(word));
  return ['sh', ...words.map((word) => word.split('/').pop() as string)];
}

/** The image's own HEALTHCHECK as an ECS-style command. */
function dockerHealthcheck(context: string): string[] {
  const healthcheck = withKeyword(finalStage(parseDockerfile(context)), 'HEALTHCHECK')[0] as Healthcheck;
  const args = healthcheck.getArguments().map((a) => a.getValue());
  const cmdIndex = args.indexOf('CMD');
  return ['CMD-SHELL', args.slice(cmdIndex + 1).join(' ')];
}

/** Every container the task definitions of `spec` run from a build context, with its health check. */
function builtContainers(spec: MeshSpec): Array<{ context: string; container: string; healthCheck: HealthCheck }> {
  const ctx = contextFor(spec);
  const out: Array<{ context: string; container: string; healthCheck: HealthCheck }> = [];
  const add = (context: string | undefined, container: ContainerDefinition | undefined, task: string) => {
    if (context && container?.healthCheck) out.push({ context, container: `${task}/${container.name ?? ''}`, healthCheck: container.healthCheck });
  };
  const dataplaneContext = spec.consul.dataplane.build?.context;
  add(spec.consul.servers.build?.context, buildServerTaskDefinition(spec, ctx).containerDefinitions?.[0], 'consul-server');
  for (const service of spec.clusters.flatMap((c) => c.services)) {
    const [app, dataplane] = buildServiceTaskDefinition(spec, service.name, ctx).containerDefinitions ?? [];
    add(service.build?.context, app, service.name);
    add(dataplaneContext, dataplane, service.name);
  }
  if (spec.ingress) add(spec.ingress.image ? undefined : dataplaneContext, buildIngressTaskDefinition(spec, ctx).containerDefinitions?.[0], spec.ingress.name);
  return out;
}

describe('health checks call only what the shipped images contain', () => {
  const spec = loadMeshSpec('examples/mesh.yaml');
  const containers = builtContainers(spec);
  const contexts = [...new Set(containers.map((c) => c.context))];

  it('covers every image of the reference mesh: the servers, the dataplane and each sample service', () => {
    expect(contexts.sort()).toEqual(
      ['docker/consul-dataplane', 'docker/consul-server', ...spec.clusters.flatMap((c) => c.services.map((s) => s.build?.context ?? ''))].sort(),
    );
  });

  it.each(containers.map((c) => [`${c.container} (${c.context})`, c]))('%s: the task definition\'s check calls binaries of the image', (_name, c) => {
    const available = binariesOf(c.context);
    const missing = executablesOf(c.healthCheck.command ?? []).filter((exe) => !available.has(exe));
    expect({ command: c.healthCheck.command, missing }).toEqual({ command: c.healthCheck.command, missing: [] });
  });

  it.each(contexts)('%s: its own HEALTHCHECK calls binaries of the image', (context) => {
    const available = binariesOf(context);
    const command = dockerHealthcheck(context);
    expect({ command, missing: executablesOf(command).filter((exe) => !available.has(exe)) }).toEqual({ command, missing: [] });
  });

  it('knows that the sample services\' base image has no curl, and the dataplane and server images install it', () => {
    expect(binariesOf('docker/services/users').has('curl')).toBe(false);
    expect(binariesOf('docker/services/users').has('wget')).toBe(true);
    expect(binariesOf('docker/consul-dataplane').has('curl')).toBe(true);
    expect(binariesOf('docker/consul-server').has('curl')).toBe(true);
    expect(binariesOf('docker/consul-dataplane').has('consul-dataplane')).toBe(true);
  });

  it('ships the server\'s health-check program and what it calls (curl for autopilot\'s health, jq to read it)', () => {
    const server = binariesOf('docker/consul-server');
    for (const binary of ['consul-server-healthcheck', 'curl', 'jq']) expect({ binary, shipped: server.has(binary) }).toEqual({ binary, shipped: true });
  });
});
