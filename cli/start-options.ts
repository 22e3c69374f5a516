import { readFileSync } from 'node:fs';
import { parse } from 'yaml';
import { DNS_LABEL } from '../layers/domain/spec/names';
import { parseArgs } from 'node:util';
import { secretParameterNames } from '../layers/domain/naming';
import type { MeshSpec } from '../layers/domain/spec/schema';
import { parseDataDirOptions } from './local-cloud';
import { LOCAL_API_URL } from './http-backend';

/** A wrong command line: the process exits 2, as command-line conventions have it (1 is a failed operation). */
export class StartUsageError extends Error {
  override readonly name = 'StartUsage';
}

export interface StartOptions {
  once: boolean;
  verbose: boolean;
  spec: string;
  /**
   * A second `--spec`: the mesh the second region's orchestrator deploys (its `region` picks that region, unless
   * `--peer-region` names it).
   */
  peerSpec?: string;
  dataDir?: string;
  reset: boolean;
  /** IAM enforcement of the local AWS endpoint; `--no-iam` turns it off (experiments only). */
  iam: boolean;
  ports: { aws: number; consul: number; httpApi: number };
  /** The dashboard's port (`meshctl ui`), LOCAL_UI_PORT; served while `npm start` keeps running (not with --once). */
  uiPort: number;
  /**
   * `--peer-region <region>` (or the region of a second `--spec`): a second region with its own Consul datacenter on
   * LOCAL_PEER_CONSUL_PORT (8510) and its own orchestrator's HTTP API on LOCAL_PEER_API_PORT (3010).
   */
  peer?: PeerOption;
}

/** The second region: its name and the ports of its Consul datacenter and of its orchestrator's HTTP API. */
export interface PeerOption {
  region: string;
  consulPort: number;
  apiPort: number;
}

export const START_USAGE = `usage: npm start -- [--once] [--verbose] [--spec <file> [--spec <file>]] [--data-dir <dir>] [--reset] [--no-iam] [--peer-region <region>]
  --once            exit after the deployment with its status (0 when it succeeded)
  --verbose         also show the functions' own JSON logs
  --spec <file>     deploy another spec (default examples/mesh.yaml); a second --spec is deployed in the second
                    region (its spec's region, e.g. eu-west-1) by that region's orchestrator
  --data-dir <dir>  keep the local cloud's state across restarts (or LOCAL_DATA_DIR); --reset starts it empty
  --no-iam          do not evaluate IAM policies on AWS calls (experiments only: AWS would)
  --peer-region <r> also run region <r> with its own Consul datacenter (LOCAL_PEER_CONSUL_PORT, 8510), peerable,
                    and its own orchestrator (its HTTP API on LOCAL_PEER_API_PORT, 3010)
ports: LOCAL_AWS_PORT (4566), LOCAL_CONSUL_PORT (8500), LOCAL_HTTP_API_PORT (3000), LOCAL_UI_PORT (8090, the dashboard); 0 picks a free one`;

/**
 * The command line and environment of `npm start`, the same settings `npm run local` reads (`--data-dir`,
 * `LOCAL_DATA_DIR`, the `LOCAL_*_PORT` variables). An unknown flag is an error rather than silently ignored.
 *
 * @throws StartUsageError naming the bad flag or variable.
 * @example parseStartOptions(['--once', '--spec', 'my.yaml'], process.env).spec // 'my.yaml'
 */
export function parseStartOptions(argv: readonly string[], env: Readonly<Record<string, string | undefined>>): StartOptions {
  let values;
  try {
    ({ values } = parseArgs({
      args: [...argv],
      strict: true,
      allowPositionals: false,
      options: {
        once: { type: 'boolean', default: false },
        verbose: { type: 'boolean', default: false },
        spec: { type: 'string', multiple: true },
        'data-dir': { type: 'string' },
        reset: { type: 'boolean', default: false },
        'no-iam': { type: 'boolean', default: false },
        'peer-region': { type: 'string' },
      },
    }));
  } catch (error) {
    throw new StartUsageError((error as Error).message.split(/\. |\n/)[0], { cause: error });
  }
  // --data-dir / LOCAL_DATA_DIR / --reset follow exactly the rules of `npm run local`.
  const dataArgs = [...(values['data-dir'] !== undefined ? ['--data-dir', values['data-dir']] : []), ...(values.reset ? ['--reset'] : [])];
  let data;
  try {
    data = parseDataDirOptions(dataArgs, env);
  } catch (error) {
    throw new StartUsageError((error as Error).message, { cause: error });
  }
  const specs = values.spec ?? ['examples/mesh.yaml'];
  if (specs.length > 2) throw new StartUsageError(`--spec at most twice (one mesh per region, two regions), got ${specs.length}`);
  const [spec, peerSpec] = specs;
  // The second spec's own region is where its mesh lives (stack-fit refuses a spec of another region).
  const peerRegion = values['peer-region'] ?? (peerSpec === undefined ? undefined : specRegion(peerSpec));
  if (peerSpec !== undefined && peerRegion === undefined) throw new StartUsageError(`${peerSpec} names no region: give its mesh a region, or pass --peer-region <region>`);
  if (peerRegion !== undefined && peerRegion === specRegion(spec)) {
    throw new StartUsageError(`the second region must differ from the first spec's (${peerRegion}): one orchestrator per region`);
  }
  return {
    once: values.once,
    verbose: values.verbose,
    spec,
    ...(peerSpec !== undefined ? { peerSpec } : {}),
    ...(data.dataDir !== undefined ? { dataDir: data.dataDir } : {}),
    reset: data.reset,
    iam: !values['no-iam'],
    ports: portsFromEnvironment(env),
    uiPort: portFromEnvironment(env, 'LOCAL_UI_PORT', 8090),
    ...(peerRegion !== undefined ? { peer: peerOption(peerRegion, env) } : {}),
  };
}

/**
 * `--peer-region` with LOCAL_PEER_CONSUL_PORT (default 8510) and LOCAL_PEER_API_PORT (default 3010; 0 picks a free
 * port).
 */
export function peerOption(region: string, env: Readonly<Record<string, string | undefined>>): PeerOption {
  if (!/^[a-z]{2}(-[a-z]+)+-\d$/.test(region)) throw new StartUsageError(`--peer-region must name an AWS region (e.g. eu-west-1), got "${region}"`);
  return { region, consulPort: portFromEnvironment(env, 'LOCAL_PEER_CONSUL_PORT', 8510), apiPort: portFromEnvironment(env, 'LOCAL_PEER_API_PORT', 3010) };
}

/** LOCAL_AWS_PORT, LOCAL_CONSUL_PORT and LOCAL_HTTP_API_PORT, or the fixed defaults of DESIGN.md section 4. */
export function portsFromEnvironment(env: Readonly<Record<string, string | undefined>>): StartOptions['ports'] {
  const port = (name: string, fallback: number) => portFromEnvironment(env, name, fallback);
  return { aws: port('LOCAL_AWS_PORT', 4566), consul: port('LOCAL_CONSUL_PORT', 8500), httpApi: port('LOCAL_HTTP_API_PORT', 3000) };
}

/** One port variable, or its default. @throws StartUsageError naming the variable when it is no port number. */
function portFromEnvironment(env: Readonly<Record<string, string | undefined>>, name: string, fallback: number): number {
  const value = env[name];
  if (value === undefined || value === '') return fallback;
  const n = Number(value);
  if (!Number.isInteger(n) || n < 0 || n > 65535) throw new StartUsageError(`${name} must be a port number (0 to 65535), got "${value}"`);
  return n;
}

/** Which variable moves a port, to name in the message when it is taken. */
const PORT_VARIABLE: Record<keyof StartOptions['ports'], string> = { aws: 'LOCAL_AWS_PORT', consul: 'LOCAL_CONSUL_PORT', httpApi: 'LOCAL_HTTP_API_PORT' };

/**
 * The message for a listen error: EADDRINUSE alone names neither the service nor the way out.
 * @returns undefined for any other error.
 */
export function renderListenError(error: unknown, ports: StartOptions['ports'], peer?: StartOptions['peer']): string | undefined {
  const e = error as NodeJS.ErrnoException & { port?: number };
  if (e?.code !== 'EADDRINUSE') return undefined;
  const which = (Object.keys(ports) as Array<keyof StartOptions['ports']>).find((k) => ports[k] === e.port);
  const variable = which
    ? PORT_VARIABLE[which]
    : peer?.consulPort === e.port
      ? 'LOCAL_PEER_CONSUL_PORT'
      : peer?.apiPort === e.port
        ? 'LOCAL_PEER_API_PORT'
        : 'LOCAL_AWS_PORT, LOCAL_CONSUL_PORT or LOCAL_HTTP_API_PORT';
  return `port ${e.port ?? '?'} is already in use (another local cloud or \`npm run local\` still running?): stop it, or choose another port with ${variable}=<port> (0 picks a free one)`;
}

export interface Endpoints {
  aws: string;
  consul: string;
  httpApi: string;
}

/**
 * The commands to explore what was deployed, naming the spec's own clusters, services and mesh: hints about
 * `cluster-1` and `users` are wrong for any other spec. AWS_DEFAULT_REGION because the AWS CLI v1 reads only that
 * one (v2 reads AWS_REGION too); the SDK v3 reads AWS_REGION.
 */
export function renderExploreHints(spec: MeshSpec, endpoints: Endpoints, env: { stateMachineArn: string; apiToken: string }): string {
  const { aws, consul, httpApi } = endpoints;
  const cluster = spec.clusters[0];
  const service = cluster.services[0];
  const tokenParameter = secretParameterNames(spec).bootstrapToken;
  const acl = spec.consul.security.acl.enabled;
  const header = acl ? 'curl -H "X-Consul-Token: $CONSUL_HTTP_TOKEN" ' : 'curl ';
  return [
    `Explore the local cloud (credentials: test / test, region ${spec.region}):`,
    `  export AWS_ACCESS_KEY_ID=test AWS_SECRET_ACCESS_KEY=test AWS_REGION=${spec.region} AWS_DEFAULT_REGION=${spec.region}`,
    `  aws --endpoint-url ${aws} ecs list-services --cluster ${cluster.name}`,
    `  aws --endpoint-url ${aws} stepfunctions list-executions --state-machine-arn ${env.stateMachineArn}`,
    `  curl ${consul}/v1/status/leader`,
    ...(acl
      ? [
          `  # Consul's ACLs deny by default; the bootstrap token is a SecureString in SSM:`,
          `  export CONSUL_HTTP_TOKEN=$(aws --endpoint-url ${aws} ssm get-parameter --name ${tokenParameter} --with-decryption --query Parameter.Value --output text)`,
        ]
      : []),
    `  ${header}${consul}/v1/catalog/services`,
    `  ${header}"${consul}/v1/health/service/${service.name}?passing"`,
    `  curl -H "Authorization: Bearer ${env.apiToken}" ${httpApi}/mesh`,
    // meshctl's default is the local API on its fixed port; on another port it must be told.
    httpApi === LOCAL_API_URL ? `  npx meshctl status          (talks to the HTTP API at ${httpApi})` : `  MESH_API_URL=${httpApi} npx meshctl status`,
    `  Faults:   curl -X POST ${aws}/_local/faults -d '{"throttleShare":0.2}'`,
  ].join('\n');
}

/**
 * The mesh a spec file names, read leniently before the local cloud starts: the local orchestrator is started for
 * that mesh (serverless.yml's `meshName`, as one stack per mesh on AWS), so a spec of any name deploys. Undefined
 * when the file cannot be read or names no valid mesh: the deployment then reports the spec's problems itself.
 */
export function specMeshName(path: string): string | undefined {
  const name = readSpecField(path, 'name');
  return name !== undefined && DNS_LABEL.test(name) ? name : undefined;
}

/** The region a spec file names, read leniently like `specMeshName` (undefined when absent or not a region). */
export function specRegion(path: string): string | undefined {
  const region = readSpecField(path, 'region');
  return region !== undefined && /^[a-z]{2}(-[a-z]+)+-\d$/.test(region) ? region : undefined;
}

function readSpecField(path: string, field: 'name' | 'region'): string | undefined {
  try {
    const raw = parse(readFileSync(path, 'utf8')) as Record<string, unknown> | null;
    const value = raw?.[field];
    return typeof value === 'string' ? value : undefined;
  } catch {
    return undefined;
  }
}
