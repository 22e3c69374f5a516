/**
 * The runtime contract, end to end on one machine: the task definitions the ECS builders make for a spec, the
 * configuration the consul layer renders for it, and the images' entrypoints (run for real, with test doubles of
 * the consul and consul-dataplane binaries) must agree on every variable name, file and port.
 */
import { randomBytes, randomUUID } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, readdirSync, rmSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join, relative } from 'node:path';
import { parse as parseHclText } from '@cdktf/hcl2json';
import type { ContainerDefinition, RegisterTaskDefinitionCommandInput } from '@aws-sdk/client-ecs';
import { parse as parseYaml } from 'yaml';
import {
  buildDataplaneConfig,
  DATAPLANE_RUNTIME,
  dataplaneProxyId,
  renderDataplaneConfig,
  renderServerHcl,
  resolveDataplaneTarget,
  SERVER_RUNTIME,
  serverAgentArgs,
  serverSecretsToFetch,
  type DataplaneTarget,
} from '../../../layers/domain/consul';
import {
  buildIngressTaskDefinition,
  buildServerTaskDefinition,
  buildServiceTaskDefinition,
  DATAPLANE_CONTAINER,
  SERVER_CONTAINER,
} from '../../../layers/domain/ecs';
import { servicesWithCluster } from '../../../layers/domain/naming';
import { loadMeshSpec, validateMeshSpec, type MeshSpec } from '../../../layers/domain/spec';
import { REPO_ROOT } from '../docker/docker-files';
import { FAKE_CONSUL, FAKE_DATAPLANE, startFakeCatalog, type FakeCatalog } from '../docker/fakes';
import { parseEnvDump, run, tempDir, writeExecutable } from '../docker/processes';
import { contextFor } from '../ecs/support';
import { mergeConfigDir, setting } from './consul-config-dir';
import { readEntrypoint } from './entrypoint-script';

/** A made-up key in PEM armour (spelled in two parts so secret scanners do not take this test for a leak). */
const PEM_KEY = ['PRIVATE', 'KEY'].join(' ');

const SERVER_IMAGE = { script: readEntrypoint(join(REPO_ROOT, 'docker/consul-server/entrypoint.sh')), dockerfile: 'docker/consul-server/Dockerfile' };
const DATAPLANE_IMAGE = { script: readEntrypoint(join(REPO_ROOT, 'docker/consul-dataplane/entrypoint.sh')), dockerfile: 'docker/consul-dataplane/Dockerfile' };
const SERVER_ENTRYPOINT = join(REPO_ROOT, 'docker/consul-server/entrypoint.sh');
const DATAPLANE_ENTRYPOINT = join(REPO_ROOT, 'docker/consul-dataplane/entrypoint.sh');

const TASK_ID = randomBytes(16).toString('hex');
const SECRET_VALUES: Record<string, string> = {
  CONSUL_GOSSIP_KEY: randomBytes(32).toString('base64'),
  CONSUL_CA_CERT: '-----BEGIN CERTIFICATE-----\nMIIBcontract-test-ca\n-----END CERTIFICATE-----',
  CONSUL_CA_KEY: `-----BEGIN EC ${PEM_KEY}-----\nMHcCAQEEI${randomBytes(24).toString('hex')}\n-----END EC ${PEM_KEY}-----`,
  CONSUL_BOOTSTRAP_TOKEN: randomUUID(),
  CONSUL_AGENT_TOKEN: randomUUID(),
  CONSUL_DATAPLANE_TOKEN: randomUUID(),
};

/** The reference mesh, and the same mesh with every security feature off: what the contract must hold for both. */
function specs(): Array<[string, MeshSpec]> {
  const reference = loadMeshSpec('examples/mesh.yaml');
  const object = parseYaml(readFileSync(join(REPO_ROOT, 'examples/mesh.yaml'), 'utf8')) as { consul: { security: unknown } };
  object.consul.security = { tls: { enabled: false, autoEncrypt: false }, gossip: { enabled: false }, acl: { enabled: false } };
  const plain = validateMeshSpec({ object });
  if (!plain.ok) throw new Error(`the plain variant of the reference mesh is invalid: ${JSON.stringify(plain.issues)}`);
  return [
    ['the reference mesh', reference],
    ['the reference mesh with TLS, gossip encryption and ACLs off', plain.spec],
  ];
}

/** A Consul container of a task definition, with what its entrypoint gets rendered for it. */
interface ConsulContainer {
  family: string;
  container: ContainerDefinition;
  image: typeof SERVER_IMAGE;
  /** The dataplane's target; none for the server. */
  target?: DataplaneTarget;
  /** The value ECS would read from the config parameter. */
  renderedConfig: string;
}

function consulContainers(spec: MeshSpec): { server: ConsulContainer; serverTd: RegisterTaskDefinitionCommandInput; dataplanes: ConsulContainer[] } {
  const ctx = contextFor(spec);
  const serverTd = buildServerTaskDefinition(spec, ctx);
  const server: ConsulContainer = {
    family: serverTd.family ?? '',
    container: only(serverTd, SERVER_CONTAINER),
    image: SERVER_IMAGE,
    renderedConfig: renderServerHcl(spec),
  };
  const targets: Array<[DataplaneTarget, RegisterTaskDefinitionCommandInput]> = servicesWithCluster(spec).map(({ service }) => [
    { kind: 'service', name: service.name },
    buildServiceTaskDefinition(spec, service.name, ctx),
  ]);
  if (spec.ingress) targets.push([{ kind: 'ingress-gateway' }, buildIngressTaskDefinition(spec, ctx)]);
  const dataplanes = targets.map(([target, td]) => ({
    family: td.family ?? '',
    container: only(td, DATAPLANE_CONTAINER),
    image: DATAPLANE_IMAGE,
    target,
    renderedConfig: renderDataplaneConfig(spec, target),
  }));
  return { server, serverTd, dataplanes };
}

function only(td: RegisterTaskDefinitionCommandInput, name: string): ContainerDefinition {
  const found = (td.containerDefinitions ?? []).filter((c) => c.name === name);
  if (found.length !== 1) throw new Error(`${td.family} has ${found.length} containers named ${name}`);
  return found[0];
}

function namesOf(container: ContainerDefinition): { environment: string[]; secrets: string[] } {
  return { environment: (container.environment ?? []).map((e) => e.name ?? ''), secrets: (container.secrets ?? []).map((s) => s.name ?? '') };
}

/** The environment ECS would start the container with: plain values as given, secrets as read from SSM. */
function containerEnvironment(c: ConsulContainer): Record<string, string> {
  const env: Record<string, string> = {};
  for (const e of c.container.environment ?? []) env[e.name ?? ''] = e.value ?? '';
  for (const s of c.container.secrets ?? []) {
    const name = s.name ?? '';
    const value = name === 'CONSUL_CONFIG' ? c.renderedConfig : SECRET_VALUES[name];
    if (value === undefined) throw new Error(`${c.family}: no test value for the secret ${name}`);
    env[name] = value;
  }
  return env;
}

/** The URL a `curl` health check of a container definition requests. */
function healthCheckUrl(container: ContainerDefinition): URL {
  // `curl -sf <url>` (CMD-SHELL), or the server image's `consul-server-healthcheck <url>` (CMD).
  const match = /http:\/\/\S+/.exec((container.healthCheck?.command ?? []).slice(1).join(' '));
  if (!match) throw new Error(`${container.name} has no HTTP health check`);
  return new URL(match[0]);
}

/** The URL the image's own `HEALTHCHECK` requests, with `${VAR:-default}` taken at its default. */
function dockerHealthCheckUrl(dockerfile: string): URL {
  const text = readFileSync(join(REPO_ROOT, dockerfile), 'utf8');
  const healthcheck = text.slice(text.indexOf('\nHEALTHCHECK'));
  const match = /http:\/\/[^"\s]+/.exec(healthcheck);
  if (!match) throw new Error(`${dockerfile} has no HTTP HEALTHCHECK`);
  return new URL(match[0].replace(/\$\{[A-Z_]+:-([^}]*)\}/g, '$1'));
}

const sandboxes: string[] = [];

function sandbox(): { dir: string; recordDir: string; binDir: string; env: Record<string, string> } {
  const root = tempDir('contract-');
  sandboxes.push(root);
  const dir = join(root, 'config');
  const recordDir = join(root, 'record');
  const binDir = join(root, 'bin');
  mkdirSync(dir, { mode: 0o700 });
  mkdirSync(recordDir);
  writeExecutable(binDir, 'consul', FAKE_CONSUL);
  writeExecutable(binDir, 'consul-dataplane', FAKE_DATAPLANE);
  return { dir, recordDir, binDir, env: { PATH: `${binDir}:${process.env.PATH ?? '/usr/bin:/bin'}`, RECORD_DIR: recordDir } };
}

/** Files under a directory, relative paths. */
function filesUnder(dir: string, prefix = ''): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) => (e.isDirectory() ? filesUnder(join(dir, e.name), `${prefix}${e.name}/`) : [`${prefix}${e.name}`]));
}

/** The ECS task metadata endpoint v4: `/v4/<cluster>/task` answers as for a Fargate task of that cluster. */
let metadata: Server;
let metadataBase = '';
/** The servers' HTTP API as the dataplane entrypoint reads it (its proxy is registered). */
let catalog: FakeCatalog;

beforeAll(async () => {
  metadata = createServer((req, res) => {
    const match = /^\/v4\/([^/]+)\/task$/.exec(req.url ?? '');
    if (!match) {
      res.writeHead(404).end();
      return;
    }
    const task = {
      Cluster: `arn:aws:ecs:us-east-1:111122223333:cluster/${match[1]}`,
      TaskARN: `arn:aws:ecs:us-east-1:111122223333:task/${match[1]}/${TASK_ID}`,
      LaunchType: 'FARGATE',
    };
    res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify(task, null, 2));
  });
  await new Promise<void>((resolve) => metadata.listen(0, '127.0.0.1', resolve));
  metadataBase = `http://127.0.0.1:${(metadata.address() as AddressInfo).port}/v4`;
  catalog = await startFakeCatalog();
});

afterAll(async () => {
  await new Promise((resolve) => metadata.close(resolve));
  await catalog.close();
  for (const dir of sandboxes) rmSync(dir, { recursive: true, force: true });
});

describe('the entrypoints and the runtime contract', () => {
  it('read every variable name the contract defines', () => {
    expect(Object.values(SERVER_RUNTIME.env).filter((name) => !SERVER_IMAGE.script.reads.has(name))).toEqual([]);
    expect(Object.values(DATAPLANE_RUNTIME.env).filter((name) => !DATAPLANE_IMAGE.script.reads.has(name))).toEqual([]);
  });

  it('default to the directories the contract names', () => {
    expect(SERVER_IMAGE.script.defaultOf('CONSUL_CONFIG_DIR')).toBe(SERVER_RUNTIME.configDir);
    expect(DATAPLANE_IMAGE.script.defaultOf('CONSUL_DATAPLANE_DIR')).toBe(DATAPLANE_RUNTIME.dir);
    expect(DATAPLANE_RUNTIME.configFile).toBe(`${DATAPLANE_RUNTIME.dir}/config.json`);
    expect(DATAPLANE_RUNTIME.caFile).toBe(`${DATAPLANE_RUNTIME.dir}/tls/ca.pem`);
  });

  it('document in their header every variable their code reads', () => {
    for (const { script } of [SERVER_IMAGE, DATAPLANE_IMAGE]) expect([...script.reads].filter((name) => !script.documented.has(name))).toEqual([]);
  });
});

describe.each(specs())('%s', (_title, spec) => {
  const { server, serverTd, dataplanes } = consulContainers(spec);
  const all = [server, ...dataplanes];

  it('gives each Consul container only variables its image\'s entrypoint reads', () => {
    for (const c of all) {
      const { environment, secrets } = namesOf(c.container);
      const unread = [...environment, ...secrets].filter((name) => !c.image.script.reads.has(name));
      expect({ family: c.family, unread }).toEqual({ family: c.family, unread: [] });
    }
  });

  it('gives each Consul container every variable its image\'s entrypoint requires', () => {
    for (const c of all) {
      const given = new Set([...namesOf(c.container).environment, ...namesOf(c.container).secrets]);
      const missing = c.image.script.required.filter((r) => !given.has(r.name) && !(r.unless && given.has(r.unless))).map((r) => r.name);
      expect({ family: c.family, missing }).toEqual({ family: c.family, missing: [] });
      expect([...c.image.script.platform].filter((name) => given.has(name))).toEqual([]);
    }
  });

  it('passes secrets only as `secrets`, and the entrypoints remove every one of them before Consul or consul-dataplane starts', () => {
    for (const c of all) {
      const { environment, secrets } = namesOf(c.container);
      expect(environment.filter((name) => name in SECRET_VALUES || name === 'CONSUL_CONFIG')).toEqual([]);
      expect({ family: c.family, kept: secrets.filter((name) => !c.image.script.unset.has(name)) }).toEqual({ family: c.family, kept: [] });
    }
  });

  it('runs the server entrypoint into a config directory that merges with the rendered consul.hcl without a conflict', async () => {
    const sb = sandbox();
    const env = containerEnvironment(server);

    const result = await run('sh', [SERVER_ENTRYPOINT], { ...sb.env, ...env, CONSUL_CONFIG_DIR: sb.dir });

    expect({ code: result.code, stderr: result.stderr }).toEqual({ code: 0, stderr: expect.any(String) });
    expect(readFileSync(join(sb.recordDir, 'agent-args'), 'utf8').trim().split('\n')).toEqual(
      serverAgentArgs().map((arg) => arg.replace(SERVER_RUNTIME.configDir, sb.dir)),
    );

    // Exactly the files the contract names: consul.hcl, one per kept secret, and the issued certificate and key.
    const inDir = (path: string) => relative(SERVER_RUNTIME.configDir, path);
    const expected = [SERVER_RUNTIME.configFile, ...serverSecretsToFetch(spec).flatMap((s) => ('file' in s.destination ? [s.destination.file] : s.destination.issues))];
    // The agent token is also written alone, for the container health check (never the bootstrap token).
    if (serverSecretsToFetch(spec).some((s) => s.name === 'agent-token')) expected.push(SERVER_RUNTIME.healthCheckTokenFile);
    // The bootstrap and agent tokens share one fragment.
    expect(filesUnder(sb.dir).sort()).toEqual([...new Set(expected.map(inDir))].sort());

    // Consul loads the directory's .hcl files (not its subdirectories) and merges them: no setting may be given twice.
    const hclFiles = readdirSync(sb.dir).filter((name) => name.endsWith('.hcl')).sort();
    const texts = hclFiles.map((name) => ({ name, text: readFileSync(join(sb.dir, name), 'utf8') }));
    const { merged, conflicts } = await mergeConfigDir(texts);
    expect(conflicts).toEqual([]);
    await expect(parseHclText('all.hcl', texts.map((t) => t.text).join('\n'))).resolves.toBeDefined();

    const security = spec.consul.security;
    expect(setting(merged, 'encrypt')).toBe(security.gossip.enabled ? SECRET_VALUES.CONSUL_GOSSIP_KEY : undefined);
    expect(setting(merged, 'encrypt_verify_incoming')).toBe(security.gossip.enabled ? true : undefined);
    expect(setting(merged, 'acl.tokens')).toEqual(
      security.acl.enabled ? { initial_management: SECRET_VALUES.CONSUL_BOOTSTRAP_TOKEN, agent: SECRET_VALUES.CONSUL_AGENT_TOKEN } : undefined,
    );
    expect(setting(merged, 'acl.enabled')).toBe(security.acl.enabled ? true : undefined);

    // TLS points at the files the entrypoint wrote; Raft data goes to the task's volume.
    const tlsFiles = ['ca_file', 'cert_file', 'key_file'].map((key) => setting(merged, `tls.defaults.${key}`));
    if (security.tls.enabled) {
      for (const file of tlsFiles) {
        expect(typeof file === 'string' && file.startsWith(`${SERVER_RUNTIME.configDir}/`)).toBe(true);
        expect(existsSync(join(sb.dir, inDir(file as string)))).toBe(true);
      }
      const signed = readFileSync(join(sb.recordDir, 'tls-cert-create'), 'utf8');
      expect(signed).toContain(`dc=${spec.datacenter}\n`);
      expect(signed).toContain(`names= ${env.CONSUL_CERT_DNS_NAMES}\n`);
    } else {
      expect(tlsFiles).toEqual([undefined, undefined, undefined]);
    }
    expect(serverTd.containerDefinitions?.[0].mountPoints?.map((m) => m.containerPath)).toEqual([setting(merged, 'data_dir')]);

    // The agent starts without any secret in its environment, and the CA key is nowhere on disk.
    const agentEnv = parseEnvDump(readFileSync(join(sb.recordDir, 'agent-env'), 'utf8'));
    for (const name of namesOf(server.container).secrets) expect(agentEnv).not.toHaveProperty(name);
    for (const file of filesUnder(sb.dir)) expect(readFileSync(join(sb.dir, file), 'utf8')).not.toContain(SECRET_VALUES.CONSUL_CA_KEY.split('\n')[1]);
  });

  it('runs each dataplane entrypoint into the proxy ID, node, CA and token the rendered JSON and the registration expect', async () => {
    for (const c of dataplanes) {
      const target = c.target as DataplaneTarget;
      const resolved = resolveDataplaneTarget(spec, target);
      const config = buildDataplaneConfig(spec, target);
      const sb = sandbox();

      // The entrypoint waits for its proxy's registration on the servers' HTTP API, the same servers the JSON names
      // for gRPC (HTTPS on 8501 with TLS); here that read goes to a stand-in that lists the proxy.
      const environment = containerEnvironment(c);
      const httpAddr = new URL(environment.CONSUL_HTTP_ADDR);
      expect({ family: c.family, host: httpAddr.hostname, tls: httpAddr.protocol === 'https:' }).toEqual({ family: c.family, host: config.consul.addresses, tls: !config.consul.tls.disabled });
      const result = await run('sh', [DATAPLANE_ENTRYPOINT], {
        ...sb.env,
        ...environment,
        CONSUL_HTTP_ADDR: catalog.url,
        CONSUL_DATAPLANE_DIR: sb.dir,
        ECS_CONTAINER_METADATA_URI_V4: `${metadataBase}/${resolved.cluster}`,
      });

      expect({ family: c.family, code: result.code, stderr: result.stderr }).toEqual({ family: c.family, code: 0, stderr: expect.any(String) });
      const inDir = (path: string) => join(sb.dir, relative(DATAPLANE_RUNTIME.dir, path));
      expect(readFileSync(join(sb.recordDir, 'dataplane-args'), 'utf8').trim()).toBe(`-config-file=${inDir(DATAPLANE_RUNTIME.configFile)}`);
      expect(JSON.parse(readFileSync(inDir(DATAPLANE_RUNTIME.configFile), 'utf8'))).toEqual(config);

      const dp = parseEnvDump(readFileSync(join(sb.recordDir, 'dataplane-env'), 'utf8'));
      // The ID the orchestrator registers the proxy under (DESIGN section 6), on the node the JSON names.
      expect(dp.DP_PROXY_SERVICE_ID).toBe(dataplaneProxyId(resolved, TASK_ID));
      expect(dp.DP_SERVICE_NODE_NAME).toBe(config.proxy.nodeName);
      if (config.consul.tls.disabled) {
        expect(dp.DP_CA_CERTS).toBeUndefined();
      } else {
        expect(dp.DP_CA_CERTS).toBe(inDir(config.consul.tls.caCertsPath));
        expect(readFileSync(dp.DP_CA_CERTS, 'utf8')).toBe(`${SECRET_VALUES.CONSUL_CA_CERT}\n`);
      }
      // ACLs on: the JSON asks for a static token and the entrypoint hands over this proxy's own, not the management one.
      expect(dp.DP_CREDENTIAL_TYPE).toBe(config.consul.credentials?.type);
      expect(dp.DP_CREDENTIAL_STATIC_TOKEN).toBe(config.consul.credentials ? SECRET_VALUES.CONSUL_DATAPLANE_TOKEN : undefined);
      // ... and read its registration with that same token.
      expect(catalog.tokens.at(-1)).toBe(config.consul.credentials ? SECRET_VALUES.CONSUL_DATAPLANE_TOKEN : '');
      for (const name of namesOf(c.container).secrets) expect(dp).not.toHaveProperty(name);
    }
  });

  it('probes, in the task definitions and the images, the listeners the rendered configuration opens', async () => {
    const parsed = await parseHclText('consul.hcl', server.renderedConfig);
    const ports = setting((await mergeConfigDir([{ name: 'consul.hcl', text: server.renderedConfig }])).merged, 'ports') as Record<string, number>;
    for (const url of [healthCheckUrl(server.container), dockerHealthCheckUrl(SERVER_IMAGE.dockerfile)]) {
      expect(Number(url.port)).toBe(ports.http);
      expect(['0.0.0.0', url.hostname]).toContain(parsed.client_addr);
      expect(url.pathname).toBe('/v1/operator/autopilot/health');
    }
    // Every listener of consul.hcl is a port the server container maps.
    const mapped = (server.container.portMappings ?? []).map((p) => p.containerPort);
    expect(Object.values(ports).filter((port) => !mapped.includes(port))).toEqual([]);

    for (const c of dataplanes) {
      const envoy = buildDataplaneConfig(spec, c.target as DataplaneTarget).envoy;
      for (const url of [healthCheckUrl(c.container), dockerHealthCheckUrl(DATAPLANE_IMAGE.dockerfile)]) {
        expect({ family: c.family, host: url.hostname, port: Number(url.port), path: url.pathname }).toEqual({
          family: c.family,
          host: envoy.readyBindAddress,
          port: envoy.readyBindPort,
          path: '/ready',
        });
      }
    }
  });
});
