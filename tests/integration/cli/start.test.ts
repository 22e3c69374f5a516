import { execFile } from 'node:child_process';
import { readdirSync, writeFileSync } from 'node:fs';
import { createServer, type AddressInfo, type Server } from 'node:net';
import { join, resolve } from 'node:path';
import { scratchDir } from '../../support/scratch';

/**
 * `npm start` as a user runs it: a child process (bin/start.ts through tsx) on free ports (LOCAL_*_PORT=0), with
 * its whole output checked, since the output is what this command is for.
 */
const ROOT = resolve(__dirname, '../../..');
const TSX = join(ROOT, 'node_modules', '.bin', 'tsx');
const FREE_PORTS = { LOCAL_AWS_PORT: '0', LOCAL_CONSUL_PORT: '0', LOCAL_HTTP_API_PORT: '0' };

function start(args: string[], env: Record<string, string> = {}): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((done) => {
    const childEnv: NodeJS.ProcessEnv = { ...process.env, ...FREE_PORTS, ...env };
    // Nothing of the test runner's own environment may steer the child: it must find its settings itself.
    for (const name of ['AWS_ENDPOINT_URL', 'MESH_API_URL', 'MESH_API_TOKEN', 'DEPLOY_STATE_MACHINE_ARN', 'LOCAL_DATA_DIR', 'LOG_LEVEL', 'AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED']) {
      if (!(name in env)) delete childEnv[name];
    }
    execFile(TSX, ['bin/start.ts', ...args], { cwd: ROOT, env: childEnv, timeout: 170_000, maxBuffer: 16 * 1024 * 1024 }, (error, stdout, stderr) => {
      const code = error ? (typeof error.code === 'number' ? error.code : -1) : 0;
      done({ code, stdout, stderr });
    });
  });
}

let dir: string;
beforeAll(() => {
  dir = scratchDir('npm-start-');
});

const spec = (image: string) => `name: reference-mesh
consul:
  servers: { count: 1 }
  dataplane: { image: "hashicorp/consul-dataplane:1.6.0" }
clusters:
  - name: shop
    services:
      - { name: cart, image: "${image}", port: 8080 }
`;

describe('npm start', () => {
  it('--once on a good spec prints no ERROR or WARN line, no warning and no stack trace, and hints at its own clusters', async () => {
    const specPath = join(dir, 'good.yaml');
    writeFileSync(specPath, spec('cart:1.0.0'));
    const dataDir = join(dir, 'state');

    const { code, stdout, stderr } = await start(['--once', '--spec', specPath], { LOCAL_DATA_DIR: dataDir });

    const output = `${stdout}\n${stderr}`;
    expect({ code, stderr }).toEqual({ code: 0, stderr: '' });
    expect(output).not.toMatch(/"level":"(ERROR|WARN)"/);
    expect(output).not.toMatch(/Warning|ERROR|^\s+at /m);
    expect(stdout).toContain('Deployed mesh "reference-mesh"');
    // The hints name what this spec deployed, not the reference topology.
    expect(stdout).toMatch(/ecs list-services --cluster shop$/m);
    expect(stdout).toContain('/v1/health/service/cart?passing"');
    expect(stdout).not.toContain('cluster-1');
    expect(stdout).toContain('AWS_DEFAULT_REGION=us-east-1');
    // LOCAL_DATA_DIR is honoured as by `npm run local`: the state was saved there.
    expect(readdirSync(dataDir).filter((f) => f.endsWith('.json')).length).toBeGreaterThan(0);
  }, 180_000);

  it('--once on a failing spec exits 1 and prints the cause once, what to do next, and no hints', async () => {
    const specPath = join(dir, 'bad.yaml');
    writeFileSync(specPath, spec('cart:fail-crash'));

    const { code, stdout, stderr } = await start(['--once', '--spec', specPath]);

    const output = `${stdout}\n${stderr}`;
    expect(code).toBe(1);
    expect(output).not.toMatch(/"level":"/);
    expect(stdout).toContain('[services] failed (DeploymentFailed)');
    expect(output.split('tasks failed to start').length - 1).toBe(stderr.split('tasks failed to start').length - 1);
    expect(stderr.match(/^ {2}cause: {3}.*$/gm)).toHaveLength(1);
    expect(stderr).toMatch(/^ {2}next: {4}fix the cause above, then deploy the spec again/m);
    expect(output).not.toContain('Explore the local cloud');
  }, 180_000);

  it('--once with two specs deploys each in its own region, through that region\'s API, and prints both summaries', async () => {
    const { code, stdout, stderr } = await start(['--once', '--spec', 'examples/multi-region/east.yaml', '--spec', 'examples/multi-region/west.yaml'], {
      LOCAL_PEER_CONSUL_PORT: '0',
      LOCAL_PEER_API_PORT: '0',
    });

    expect({ code, stderr }).toEqual({ code: 0, stderr: '' });
    const peerApi = /its orchestrator's HTTP API at (http:\/\/127\.0\.0\.1:\d+)\./.exec(stdout)?.[1];
    expect(peerApi).toBeDefined();
    expect(stdout).toContain('Deployed mesh "east-mesh"');
    expect(stdout).toContain(`Deploying examples/multi-region/west.yaml in eu-west-1 through that region's API (${peerApi}):`);
    expect(stdout).toContain('Deployed mesh "west-mesh"');
    // Each mesh's images are in its own region's registry, its contexts in its own stack's bucket.
    expect(stdout).toMatch(/dkr\.ecr\.us-east-1\.amazonaws\.com\/east-mesh\/users:/);
    expect(stdout).toMatch(/dkr\.ecr\.eu-west-1\.amazonaws\.com\/west-mesh\/todos:/);
    expect(stdout).toContain('s3://local-eu-west-1-build-source-bucket/contexts/');
    // Both summaries' hints, the second one naming its own API for meshctl.
    expect(stdout).toContain('AWS_DEFAULT_REGION=us-east-1');
    expect(stdout).toContain('AWS_DEFAULT_REGION=eu-west-1');
    expect(stdout).toContain(`MESH_API_URL=${peerApi} npx meshctl status`);
    // The peering the two deployments made, as each mesh's API reports it: ACTIVE both ways, todos exported by west
    // and imported by east.
    expect(stdout).toContain('Cluster peering: every peering ACTIVE, each mesh importing what its peer exports to it.');
    // Last, after both meshes' summaries and hints.
    expect(stdout.indexOf('Cluster peering:')).toBeGreaterThan(stdout.lastIndexOf('Explore the local cloud'));
    const peerRow = (name: string) => stdout.split('\n').find((line) => line.startsWith(`  ${name}  `))?.trim().split(/\s{2,}/);
    expect(peerRow('west')).toEqual(['west', 'west-mesh (eu-west-1)', 'acceptor', 'ACTIVE', 'todos', '-']);
    expect(peerRow('east')).toEqual(['east', 'east-mesh (us-east-1)', 'dialer', 'ACTIVE', '-', 'todos']);
  }, 240_000);

  it('refuses an invalid spec with exit 1 and its problems, before starting the local cloud', async () => {
    const specPath = join(dir, 'invalid.yaml');
    writeFileSync(specPath, spec('cart:1.0.0').replace('port: 8080', 'port: 8500'));

    const { code, stdout, stderr } = await start(['--once', '--spec', specPath]);

    expect(code).toBe(1);
    expect(stderr).toBe(`${specPath}: clusters[0].services[0].port: port 8500 is reserved by Consul or its sidecar proxy\n`);
    expect(stdout).toBe('');
  });

  it('refuses an unknown flag with exit 2 and the usage', async () => {
    const { code, stdout, stderr } = await start(['--bogus-flag']);
    expect(code).toBe(2);
    expect(stdout).toBe('');
    expect(stderr.split('\n')[0]).toBe("npm start: Unknown option '--bogus-flag'");
    expect(stderr).toContain('usage: npm start -- [--once]');
  });

  it('names the port in use and the variable that moves it', async () => {
    const server: Server = createServer();
    await new Promise<void>((ok) => server.listen(0, '127.0.0.1', ok));
    const port = (server.address() as AddressInfo).port;
    try {
      const { code, stderr } = await start(['--once'], { LOCAL_CONSUL_PORT: String(port) });
      expect(code).toBe(1);
      expect(stderr).toBe(
        `npm start: port ${port} is already in use (another local cloud or \`npm run local\` still running?): stop it, or choose another port with LOCAL_CONSUL_PORT=<port> (0 picks a free one)\n`,
      );
    } finally {
      server.close();
    }
  }, 60_000);
});
