import { randomBytes, randomUUID } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, readdirSync, rmSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { REPO_ROOT } from './docker-files';
import { FAKE_CONSUL, FAKE_DATAPLANE, startFakeCatalog, type FakeCatalog } from './fakes';
import { modesUnder, parseEnvDump, run, tempDir, writeExecutable } from './processes';

/** A made-up key in PEM armour (spelled in two parts so secret scanners do not take this test for a leak). */
const PEM_KEY = ['PRIVATE', 'KEY'].join(' ');

const { parseToObject } = require('hcl2-parser') as { parseToObject(text: string): [unknown, unknown] };

const SERVER_ENTRYPOINT = join(REPO_ROOT, 'docker/consul-server/entrypoint.sh');
const DATAPLANE_ENTRYPOINT = join(REPO_ROOT, 'docker/consul-dataplane/entrypoint.sh');
const ENTRYPOINTS = [SERVER_ENTRYPOINT, DATAPLANE_ENTRYPOINT];

/** Variables whose values are secrets: no log line, message or trace may print them. */
const SECRET_VARIABLES = ['CONSUL_GOSSIP_KEY', 'CONSUL_CA_KEY', 'CONSUL_BOOTSTRAP_TOKEN', 'CONSUL_AGENT_TOKEN', 'CONSUL_DATAPLANE_TOKEN', 'agent_token'];

const GOSSIP_KEY = randomBytes(32).toString('base64');
const CA_CERT = '-----BEGIN CERTIFICATE-----\nMIIBtest-ca-certificate-body\n-----END CERTIFICATE-----';
const CA_KEY_BODY = `MHcCAQEEI${randomBytes(24).toString('hex')}`;
const CA_KEY = `-----BEGIN EC ${PEM_KEY}-----\n${CA_KEY_BODY}\n-----END EC ${PEM_KEY}-----`;
const BOOTSTRAP_TOKEN = randomUUID();
const AGENT_TOKEN = randomUUID();
const DATAPLANE_TOKEN = randomUUID();
const SECRET_VALUES = [GOSSIP_KEY, CA_KEY_BODY, BOOTSTRAP_TOKEN, AGENT_TOKEN, DATAPLANE_TOKEN];

const SERVER_HCL = 'datacenter = "dc7"\ndata_dir = "/consul/data"\nserver = true\nbootstrap_expect = 3\n';

interface Sandbox {
  dir: string;
  configDir: string;
  recordDir: string;
  binDir: string;
}

const sandboxes: string[] = [];

function sandbox(): Sandbox {
  const dir = tempDir('entrypoint-');
  sandboxes.push(dir);
  const sb = { dir, configDir: join(dir, 'config'), recordDir: join(dir, 'record'), binDir: join(dir, 'bin') };
  mkdirSync(sb.configDir, { mode: 0o700 });
  mkdirSync(sb.recordDir);
  writeExecutable(sb.binDir, 'consul', FAKE_CONSUL);
  writeExecutable(sb.binDir, 'consul-dataplane', FAKE_DATAPLANE);
  return sb;
}

function baseEnv(sb: Sandbox): Record<string, string> {
  return { PATH: `${sb.binDir}:${process.env.PATH ?? '/usr/bin:/bin'}`, RECORD_DIR: sb.recordDir };
}

function record(sb: Sandbox, name: string): string {
  return readFileSync(join(sb.recordDir, name), 'utf8');
}

function expectNoSecretsIn(text: string): void {
  for (const secret of SECRET_VALUES) expect(text).not.toContain(secret);
}

afterAll(() => {
  for (const dir of sandboxes) rmSync(dir, { recursive: true, force: true });
});

describe('entrypoint scripts (static)', () => {
  it.each(ENTRYPOINTS)('%s passes `sh -n`', async (script) => {
    const result = await run('sh', ['-n', script], { PATH: process.env.PATH ?? '/usr/bin:/bin' });
    expect(result).toMatchObject({ code: 0, stderr: '' });
  });

  it.each(ENTRYPOINTS)('%s turns tracing off and never on', (script) => {
    const text = readFileSync(script, 'utf8');
    expect(text.split('\n')[0]).toBe('#!/bin/sh');
    expect(text).toMatch(/^set \+x$/m);
    expect(text).not.toMatch(/set\s+-[a-wyz]*x|set\s+-o\s+xtrace/);
  });

  it.each(ENTRYPOINTS)('%s never prints a secret variable', (script) => {
    const code = readFileSync(script, 'utf8')
      .split('\n')
      .filter((line) => !line.trim().startsWith('#'));
    // What follows a printing command up to the end of that command (`;`, `||`, `&&` or the end of the line).
    const printing = code.flatMap((line) => [...line.matchAll(/\b(?:echo|log|fail|printf)\b(.*?)(?:;|\|\||&&|$)/g)].map((m) => m[0]));
    expect(printing.length).toBeGreaterThan(0);
    for (const line of printing) {
      for (const variable of SECRET_VARIABLES) expect({ line, prints: new RegExp(`\\$\\{?${variable}\\b`).test(line) }).toEqual({ line, prints: false });
    }
  });
});

describe('consul-server entrypoint', () => {
  it('writes the configuration and secrets as private files, signs the server certificate and execs consul agent', async () => {
    const sb = sandbox();
    const result = await run('sh', [SERVER_ENTRYPOINT, '-log-level=info'], {
      ...baseEnv(sb),
      CONSUL_CONFIG_DIR: sb.configDir,
      CONSUL_CONFIG: SERVER_HCL,
      CONSUL_GOSSIP_KEY: GOSSIP_KEY,
      CONSUL_CA_CERT: CA_CERT,
      CONSUL_CA_KEY: CA_KEY,
      CONSUL_BOOTSTRAP_TOKEN: BOOTSTRAP_TOKEN,
      CONSUL_AGENT_TOKEN: AGENT_TOKEN,
    });

    expect(result.code).toBe(0);
    expectNoSecretsIn(result.stdout + result.stderr);
    expect(record(sb, 'agent-args').split('\n')).toEqual(['agent', `-config-dir=${sb.configDir}`, '-log-level=info', '']);

    // Only these files, each readable by the consul user alone; the CA key is gone.
    expect(modesUnder(sb.configDir)).toEqual({
      'consul.hcl': 0o600,
      'gossip.hcl': 0o600,
      'acl-tokens.hcl': 0o600,
      'health-check.token': 0o600,
      tls: 0o700,
      'tls/ca.pem': 0o600,
      'tls/server.pem': 0o600,
      'tls/server-key.pem': 0o600,
    });
    const read = (name: string) => readFileSync(join(sb.configDir, name), 'utf8');
    expect(read('consul.hcl')).toBe(`${SERVER_HCL}\n`);
    expect(read('tls/ca.pem')).toBe(`${CA_CERT}\n`);
    // The health check's token is the agent token, alone in its file.
    expect(read('health-check.token')).toBe(`${AGENT_TOKEN}\n`);
    expect(read('tls/server.pem')).toBe('certificate for server.dc7.consul\n');
    for (const name of Object.keys(modesUnder(sb.configDir)).filter((n) => n !== 'tls')) expect(read(name)).not.toContain(CA_KEY_BODY);

    // The fragments are HCL that Consul merges with consul.hcl.
    expect(parseToObject(read('gossip.hcl'))).toEqual([{ encrypt: GOSSIP_KEY }, null]);
    expect(parseToObject(read('acl-tokens.hcl'))).toEqual([{ acl: [{ tokens: [{ initial_management: BOOTSTRAP_TOKEN, agent: AGENT_TOKEN }] }] }, null]);

    // The certificate was signed for the datacenter of consul.hcl, with the CA key in a private file.
    expect(record(sb, 'tls-cert-create')).toContain('dc=dc7\ndomain=consul\n');
    expect(record(sb, 'tls-cert-create')).toContain('keymode=600');
    expect(record(sb, 'ca-key-seen')).toBe(`${CA_KEY}\n`);

    // Consul itself runs without the secrets in its environment.
    const agentEnv = parseEnvDump(record(sb, 'agent-env'));
    for (const name of ['CONSUL_CONFIG', 'CONSUL_GOSSIP_KEY', 'CONSUL_CA_CERT', 'CONSUL_CA_KEY', 'CONSUL_BOOTSTRAP_TOKEN', 'CONSUL_AGENT_TOKEN']) {
      expect(agentEnv).not.toHaveProperty(name);
    }
  });

  it('uses the bootstrap token as agent token when none is given, and CONSUL_DATACENTER over consul.hcl', async () => {
    const sb = sandbox();
    const result = await run('sh', [SERVER_ENTRYPOINT], {
      ...baseEnv(sb),
      CONSUL_CONFIG_DIR: sb.configDir,
      CONSUL_CONFIG: SERVER_HCL,
      CONSUL_CA_CERT: CA_CERT,
      CONSUL_CA_KEY: CA_KEY,
      CONSUL_DATACENTER: 'eu-1',
      CONSUL_DOMAIN: 'mesh',
      CONSUL_BOOTSTRAP_TOKEN: BOOTSTRAP_TOKEN,
    });
    expect(result.code).toBe(0);
    expect(record(sb, 'tls-cert-create')).toContain('dc=eu-1\ndomain=mesh\n');
    expect(readFileSync(join(sb.configDir, 'tls/server.pem'), 'utf8')).toBe('certificate for server.eu-1.mesh\n');
    const [acl] = parseToObject(readFileSync(join(sb.configDir, 'acl-tokens.hcl'), 'utf8'));
    expect(acl).toEqual({ acl: [{ tokens: [{ initial_management: BOOTSTRAP_TOKEN, agent: BOOTSTRAP_TOKEN }] }] });
    // The health check never gets the management token: without an agent token it has none.
    expect(existsSync(join(sb.configDir, 'health-check.token'))).toBe(false);
  });

  it('adds the extra DNS names to the server certificate and logs the configuration hash', async () => {
    const sb = sandbox();
    const result = await run('sh', [SERVER_ENTRYPOINT], {
      ...baseEnv(sb),
      CONSUL_CONFIG_DIR: sb.configDir,
      CONSUL_CONFIG: SERVER_HCL,
      CONSUL_CONFIG_HASH: '5c4d3e2f',
      CONSUL_CA_CERT: CA_CERT,
      CONSUL_CA_KEY: CA_KEY,
      CONSUL_CERT_DNS_NAMES: 'consul-server.reference-mesh.internal  consul.example.internal',
    });
    expect(result.code).toBe(0);
    expect(record(sb, 'tls-cert-create')).toContain('names= consul-server.reference-mesh.internal consul.example.internal\n');
    expect(result.stderr).toContain('(configuration 5c4d3e2f)');
  });

  it.each([['a glob', '*'], ['a flag', '-ca /etc/passwd'], ['a quote', 'a"b']])('refuses %s among the certificate DNS names before the CA key is written', async (_case, names) => {
    const sb = sandbox();
    writeExecutable(sb.binDir, 'decoy.internal', '#!/bin/sh\n');
    const result = await run(
      'sh',
      [SERVER_ENTRYPOINT],
      { ...baseEnv(sb), CONSUL_CONFIG_DIR: sb.configDir, CONSUL_CONFIG: SERVER_HCL, CONSUL_CA_CERT: CA_CERT, CONSUL_CA_KEY: CA_KEY, CONSUL_CERT_DNS_NAMES: names },
      sb.binDir,
    );
    expect(result.code).not.toBe(0);
    expect(result.stderr).toContain('CONSUL_CERT_DNS_NAMES must hold DNS names');
    expect(existsSync(join(sb.recordDir, 'tls-cert-create'))).toBe(false);
    expect(readdirSync(sb.configDir).filter((n) => n.startsWith('.ca.'))).toEqual([]);
  });

  it('starts with the configuration alone and warns that gossip is not encrypted by it', async () => {
    const sb = sandbox();
    const result = await run('sh', [SERVER_ENTRYPOINT], { ...baseEnv(sb), CONSUL_CONFIG_DIR: sb.configDir, CONSUL_CONFIG: SERVER_HCL });
    expect(result.code).toBe(0);
    expect(result.stderr).toContain('CONSUL_GOSSIP_KEY is not set');
    expect(modesUnder(sb.configDir)).toEqual({ 'consul.hcl': 0o600 });
  });

  it('refuses to start without the rendered configuration, naming the variable and the parameter', async () => {
    const sb = sandbox();
    const result = await run('sh', [SERVER_ENTRYPOINT], {
      ...baseEnv(sb),
      CONSUL_CONFIG_DIR: sb.configDir,
      CONSUL_CONFIG_PARAMETER: '/consul-mesh/reference-mesh/config/server.hcl',
      CONSUL_GOSSIP_KEY: GOSSIP_KEY,
    });
    expect(result.code).not.toBe(0);
    expect(result.stderr).toContain('CONSUL_CONFIG is empty');
    expect(result.stderr).toContain('/consul-mesh/reference-mesh/config/server.hcl');
    expect(existsSync(join(sb.recordDir, 'agent-args'))).toBe(false);
    expectNoSecretsIn(result.stdout + result.stderr);
  });

  it.each([
    ['a gossip key that is not base64', { CONSUL_GOSSIP_KEY: `${GOSSIP_KEY}" bind_addr = "0.0.0.0` }, 'CONSUL_GOSSIP_KEY is not a base64 key'],
    ['a bootstrap token that is not a UUID', { CONSUL_BOOTSTRAP_TOKEN: `${BOOTSTRAP_TOKEN}" } } acl { default_policy = "allow` }, 'CONSUL_BOOTSTRAP_TOKEN is not a token'],
    ['an agent token that is not a UUID', { CONSUL_BOOTSTRAP_TOKEN: BOOTSTRAP_TOKEN, CONSUL_AGENT_TOKEN: 'a b' }, 'CONSUL_AGENT_TOKEN is not a token'],
    ['a CA key without its certificate', { CONSUL_CA_KEY: CA_KEY }, 'CONSUL_CA_KEY is set without CONSUL_CA_CERT'],
  ])('refuses %s without splicing it into HCL or printing it', async (_case, secrets, message) => {
    const sb = sandbox();
    const result = await run('sh', [SERVER_ENTRYPOINT], { ...baseEnv(sb), CONSUL_CONFIG_DIR: sb.configDir, CONSUL_CONFIG: SERVER_HCL, ...secrets });
    expect(result.code).not.toBe(0);
    expect(result.stderr).toContain(message);
    expectNoSecretsIn(result.stdout + result.stderr);
    expect(existsSync(join(sb.recordDir, 'agent-args'))).toBe(false);
    expect(Object.keys(modesUnder(sb.configDir)).filter((n) => n.endsWith('gossip.hcl') || n.endsWith('acl-tokens.hcl'))).toEqual([]);
  });

  it('removes the CA key when signing the server certificate fails', async () => {
    const sb = sandbox();
    const result = await run('sh', [SERVER_ENTRYPOINT], {
      ...baseEnv(sb),
      FAKE_TLS_FAIL: '1',
      CONSUL_CONFIG_DIR: sb.configDir,
      CONSUL_CONFIG: SERVER_HCL,
      CONSUL_CA_CERT: CA_CERT,
      CONSUL_CA_KEY: CA_KEY,
    });
    expect(result.code).not.toBe(0);
    expect(result.stderr).toContain("could not sign this server's certificate");
    expect(readdirSync(sb.configDir).sort()).toEqual(['consul.hcl', 'tls']);
    expect(readdirSync(join(sb.configDir, 'tls'))).toEqual(['ca.pem']);
  });
});

describe('consul-dataplane entrypoint', () => {
  const TASK_ID = '0123456789abcdef0123456789abcdef';
  let metadata: Server;
  let metadataUri = '';
  let catalog: FakeCatalog;

  beforeAll(async () => {
    // The ECS task metadata endpoint v4, answering as for a Fargate task (pretty-printed, so the script cannot
    // rely on one line).
    metadata = createServer((req, res) => {
      if (req.url !== '/v4/meta-1/task') {
        res.writeHead(404).end('not found');
        return;
      }
      const task = {
        Cluster: 'arn:aws:ecs:us-east-1:111122223333:cluster/cluster-1',
        TaskARN: `arn:aws:ecs:us-east-1:111122223333:task/cluster-1/${TASK_ID}`,
        Family: 'reference-mesh-users',
        Revision: '3',
        DesiredStatus: 'RUNNING',
        KnownStatus: 'RUNNING',
        Containers: [{ Name: 'users', Labels: { 'com.amazonaws.ecs.cluster': 'arn:aws:ecs:us-east-1:111122223333:cluster/cluster-1', 'com.amazonaws.ecs.task-arn': 'x' } }],
        LaunchType: 'FARGATE',
      };
      res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify(task, null, 2));
    });
    await new Promise<void>((resolve) => metadata.listen(0, '127.0.0.1', resolve));
    metadataUri = `http://127.0.0.1:${(metadata.address() as AddressInfo).port}/v4/meta-1`;
    // The servers' HTTP API, where the script waits for its proxy's registration before it starts consul-dataplane.
    catalog = await startFakeCatalog();
  });

  afterAll(async () => {
    await new Promise((resolve) => metadata.close(resolve));
    await catalog.close();
  });

  const DATAPLANE_JSON = JSON.stringify({ consul: { addresses: 'consul-server.mesh.internal', grpcPort: 8503, tls: { serverName: 'server.dc1.consul' } } });

  function dataplaneEnv(sb: Sandbox, extra: Record<string, string>): Record<string, string> {
    return { ...baseEnv(sb), CONSUL_DATAPLANE_DIR: sb.configDir, CONSUL_CONFIG: DATAPLANE_JSON, CONSUL_HTTP_ADDR: catalog.url, ...extra };
  }

  it('derives the sidecar ID and node from the task metadata and hands the secrets over as DP_* variables', async () => {
    const sb = sandbox();
    const result = await run('sh', [DATAPLANE_ENTRYPOINT, '--', '--log-level', 'info'], dataplaneEnv(sb, {
      ECS_CONTAINER_METADATA_URI_V4: metadataUri,
      CONSUL_SERVICE_NAME: 'users',
      CONSUL_CA_CERT: CA_CERT,
      CONSUL_DATAPLANE_TOKEN: DATAPLANE_TOKEN,
      CONSUL_BOOTSTRAP_TOKEN: BOOTSTRAP_TOKEN,
    }));

    expect(result.code).toBe(0);
    expectNoSecretsIn(result.stdout + result.stderr);
    // It read its registration with the proxy's own token, not the management one.
    expect(catalog.tokens.at(-1)).toBe(DATAPLANE_TOKEN);
    expect(record(sb, 'dataplane-args').split('\n')).toEqual([`-config-file=${sb.configDir}/config.json`, '--', '--log-level', 'info', '']);
    expect(modesUnder(sb.configDir)).toEqual({ 'config.json': 0o600, tls: 0o700, 'tls/ca.pem': 0o600 });
    expect(JSON.parse(readFileSync(join(sb.configDir, 'config.json'), 'utf8'))).toEqual(JSON.parse(DATAPLANE_JSON));
    expect(readFileSync(join(sb.configDir, 'tls/ca.pem'), 'utf8')).toBe(`${CA_CERT}\n`);

    const env = parseEnvDump(record(sb, 'dataplane-env'));
    expect(env).toMatchObject({
      DP_PROXY_SERVICE_ID: `users-${TASK_ID}-sidecar-proxy`,
      DP_SERVICE_NODE_NAME: 'cluster-1',
      DP_CA_CERTS: `${sb.configDir}/tls/ca.pem`,
      DP_CREDENTIAL_TYPE: 'static',
      DP_CREDENTIAL_STATIC_TOKEN: DATAPLANE_TOKEN,
    });
    for (const name of ['CONSUL_CONFIG', 'CONSUL_CA_CERT', 'CONSUL_DATAPLANE_TOKEN', 'CONSUL_BOOTSTRAP_TOKEN']) expect(env).not.toHaveProperty(name);
  });

  it('registers an ingress gateway task under the gateway instance ID itself', async () => {
    const sb = sandbox();
    const result = await run('sh', [DATAPLANE_ENTRYPOINT], dataplaneEnv(sb, {
      ECS_CONTAINER_METADATA_URI_V4: metadataUri,
      CONSUL_SERVICE_NAME: 'ingress-gateway',
      CONSUL_PROXY_KIND: 'ingress-gateway',
      CONSUL_NODE_NAME: 'ingress',
    }));
    expect(result.code).toBe(0);
    expect(parseEnvDump(record(sb, 'dataplane-env'))).toMatchObject({ DP_PROXY_SERVICE_ID: `ingress-gateway-${TASK_ID}`, DP_SERVICE_NODE_NAME: 'ingress' });
  });

  it('needs no metadata endpoint when the proxy ID and node are given', async () => {
    const sb = sandbox();
    const result = await run('sh', [DATAPLANE_ENTRYPOINT], dataplaneEnv(sb, { CONSUL_PROXY_SERVICE_ID: 'todos-1-sidecar-proxy', CONSUL_NODE_NAME: 'cluster-2' }));
    expect(result.code).toBe(0);
    const env = parseEnvDump(record(sb, 'dataplane-env'));
    expect(env).toMatchObject({ DP_PROXY_SERVICE_ID: 'todos-1-sidecar-proxy', DP_SERVICE_NODE_NAME: 'cluster-2' });
    expect(env).not.toHaveProperty('DP_CREDENTIAL_STATIC_TOKEN');
    expect(env).not.toHaveProperty('DP_CA_CERTS');
  });

  it('falls back to the bootstrap token with a warning that does not show it', async () => {
    const sb = sandbox();
    const result = await run('sh', [DATAPLANE_ENTRYPOINT], dataplaneEnv(sb, {
      CONSUL_PROXY_SERVICE_ID: 'users-1-sidecar-proxy',
      CONSUL_NODE_NAME: 'cluster-1',
      CONSUL_BOOTSTRAP_TOKEN: BOOTSTRAP_TOKEN,
    }));
    expect(result.code).toBe(0);
    expect(result.stderr).toContain('CONSUL_DATAPLANE_TOKEN is not set');
    expectNoSecretsIn(result.stdout + result.stderr);
    expect(parseEnvDump(record(sb, 'dataplane-env')).DP_CREDENTIAL_STATIC_TOKEN).toBe(BOOTSTRAP_TOKEN);
  });

  it.each([
    ['the metadata endpoint fails', { ECS_CONTAINER_METADATA_URI_V4: 'METADATA/missing', CONSUL_SERVICE_NAME: 'users' }, 'could not read the task metadata'],
    ['the configuration is not JSON', { CONSUL_CONFIG: 'consul { addresses = "x" }', CONSUL_PROXY_SERVICE_ID: 'a', CONSUL_NODE_NAME: 'b' }, 'CONSUL_CONFIG is not a JSON object'],
    ['the configuration is missing', { CONSUL_CONFIG: '', CONSUL_PROXY_SERVICE_ID: 'a', CONSUL_NODE_NAME: 'b' }, 'CONSUL_CONFIG is empty'],
    ['the proxy kind is unknown', { ECS_CONTAINER_METADATA_URI_V4: 'METADATA', CONSUL_SERVICE_NAME: 'users', CONSUL_PROXY_KIND: 'mesh' }, 'CONSUL_PROXY_KIND must be'],
    ['the service name is unsafe', { ECS_CONTAINER_METADATA_URI_V4: 'METADATA', CONSUL_SERVICE_NAME: 'users;reboot' }, 'CONSUL_SERVICE_NAME must name the service'],
    ['it runs outside ECS without an explicit proxy ID', { CONSUL_SERVICE_NAME: 'users' }, 'ECS_CONTAINER_METADATA_URI_V4 is not set'],
  ])('refuses to start when %s', async (_case, vars, message) => {
    const sb = sandbox();
    const resolved = Object.fromEntries(Object.entries(vars).map(([k, v]) => [k, v.replace('METADATA', metadataUri)]));
    const result = await run('sh', [DATAPLANE_ENTRYPOINT], dataplaneEnv(sb, { CONSUL_DATAPLANE_TOKEN: DATAPLANE_TOKEN, ...resolved }));
    expect(result.code).not.toBe(0);
    expect(result.stderr).toContain(message);
    expectNoSecretsIn(result.stdout + result.stderr);
    expect(existsSync(join(sb.recordDir, 'dataplane-args'))).toBe(false);
  });
});
