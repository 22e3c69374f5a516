import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { EcsTaskSnapshot } from '../aws/ecs/simulation';
import type { ContainerDefinition, TaskDefinitionRecord } from '../aws/ecs/model';
import type { ProcessOutcome } from '../aws/ecs/task-lifecycle';
import type { DataplaneAccess } from '../consul';
import { checkConsulServer, type Verdict } from './consul-server';
import { checkDataplane } from './dataplane';
import { missingProgram } from './health-check';
import { ShippedImages, type ShippedImage } from './shipped-images';
import { serverHealthProbe, serverNodeId } from './server-health';
import type { TlsTrustLedger } from './tls-trust';

/**
 * Stand-ins for the processes inside the simulated tasks: when a task reaches RUNNING, each container of an image
 * the project ships checks what its real process would check before it serves (DESIGN.md section 9):
 *
 * - any container with a health check: the programs the check runs must be in the image (health-check.ts), else
 *   every check fails and the container is UNHEALTHY;
 * - the Consul server image: its entrypoint runs, then the agent's configuration must load (consul-server.ts), else
 *   the container exits 1;
 * - the consul-dataplane image: its entrypoint runs (and waits for the proxy's registration), its configuration must
 *   decode, and the servers must serve its proxy to its token (dataplane.ts), else the container exits, or Envoy is
 *   never ready and the container is UNHEALTHY.
 *
 * An image the local cloud did not build from `docker/` is not looked into: it behaves as its tag says.
 */

export interface TaskProcessesDeps {
  /** The project root, whose `docker/` holds the images' build contexts. */
  projectRoot: string;
  /** The digest a container image reference names in the local registry, or undefined. */
  imageDigest(image: string): string | undefined;
  /** The decrypted value of an SSM parameter (name or ARN), as ECS injects a `secrets` entry; undefined if missing. */
  parameter(nameOrArn: string): Promise<string | undefined>;
  /** The servers' answer to a dataplane (ConsulServer.dataplaneAccess). */
  dataplaneAccess(secret: string, node: string, proxyId: string): DataplaneAccess;
  /** The local Consul's HTTP API, where a dataplane entrypoint's reads of the servers' address go. */
  consulHttpUrl(): string;
  /** Whether the task still runs (the dataplane stops waiting for its proxy otherwise). */
  stillRunning(task: EcsTaskSnapshot): boolean;
  /** Who trusts whom (servers' certificates, everybody's CA files); without it TLS trust between tasks is not checked. */
  tls?: TlsTrustLedger;
  /**
   * The name of the `secrets` entry that carries the CA certificate, the same in the servers' and the dataplanes'
   * containers (the product's convention): the parameter it names scopes who trusts whom.
   */
  caCertSecret: string;
  /** The file the server entrypoint writes its health-check token to (the product's convention). */
  serverHealthCheckTokenFile: string;
  /** How long a dataplane's Envoy may wait for its proxy stream before its health check fails. Default 30 s. */
  dataplaneReadyTimeoutMs?: number;
  logger?: (message: string) => void;
}

type Environment = Record<string, string>;

/** The container's environment as ECS gives it: `environment` entries, then each `secrets` entry's parameter value. */
async function containerEnvironment(container: ContainerDefinition, deps: TaskProcessesDeps): Promise<Environment | undefined> {
  const env: Environment = {};
  for (const entry of (container.environment as Array<{ name?: string; value?: string }> | undefined) ?? []) {
    if (entry.name) env[entry.name] = entry.value ?? '';
  }
  for (const secret of (container.secrets as Array<{ name?: string; valueFrom?: string }> | undefined) ?? []) {
    if (!secret.name || !secret.valueFrom) continue;
    const value = await deps.parameter(secret.valueFrom);
    // A secret ECS cannot fetch stops the task before it starts (ResourceInitializationError): not this stand-in's case.
    if (value === undefined) return undefined;
    env[secret.name] = value;
  }
  return env;
}

/** The digest a reference names: `...@sha256:<hex>` directly, a tag through the registry. */
function digestOf(image: string, deps: TaskProcessesDeps): string | undefined {
  const pinned = /@(sha256:[a-f0-9]{64})$/.exec(image);
  return pinned ? pinned[1] : deps.imageDigest(image);
}

/** The final binary an image's entrypoint execs, read from its `entrypoint.sh`. */
function entrypointOf(image: ShippedImage): { script: string; binary: 'consul' | 'consul-dataplane' } | undefined {
  const script = join(image.contextDir, 'entrypoint.sh');
  if (!existsSync(script)) return undefined;
  const text = readFileSync(script, 'utf8');
  if (/^exec consul-dataplane\b/m.test(text)) return { script, binary: 'consul-dataplane' };
  if (/^exec consul agent\b/m.test(text)) return { script, binary: 'consul' };
  return undefined;
}

async function checkContainer(task: EcsTaskSnapshot, container: ContainerDefinition, shipped: ShippedImages, deps: TaskProcessesDeps): Promise<Verdict | undefined> {
  const digest = digestOf(container.image, deps);
  const image = digest === undefined ? undefined : shipped.find(digest);
  if (!image) return undefined;
  const command = (container.healthCheck as { command?: unknown[] } | undefined)?.command;
  if (command && image.programs) {
    const missing = missingProgram(command, image.programs);
    if (missing) return { unhealthy: true, reason: `health check: ${missing}` };
  }
  const entrypoint = entrypointOf(image);
  if (!entrypoint) return undefined;
  const environment = await containerEnvironment(container, deps);
  if (!environment) return undefined;
  // The servers' and the dataplanes' CA variable is the same (the product's convention, `caCertSecret`).
  const caParameter = (container.secrets as Array<{ name?: string; valueFrom?: string }> | undefined)?.find((s) => s.name === deps.caCertSecret)?.valueFrom ?? '';
  const member = { taskArn: task.taskArn, region: task.region, scope: caParameter, service: task.serviceName ?? task.family };
  const tls = deps.tls;
  if (entrypoint.binary === 'consul') {
    let token: string | undefined;
    const verdict = await checkConsulServer(
      entrypoint.script,
      environment,
      tls && ((t) => tls.admitServer({ ...member, role: 'server', ...t })),
      (readFile) => (token = readFile(deps.serverHealthCheckTokenFile)),
    );
    if (verdict) return verdict;
    // The agent serves: its health check (a script the image copies from its context) runs as ECS runs it.
    const check = container.healthCheck as { command?: unknown[]; timeout?: number } | undefined;
    const [form, program, ...args] = (check?.command ?? []).map(String);
    const script = form === 'CMD' && program ? image.contextPrograms.get(program.split('/').pop() as string) : undefined;
    if (!script) return undefined;
    return {
      reason: 'health check: autopilot has not reported this server yet',
      probe: serverHealthProbe({ script, args, consulHttpUrl: deps.consulHttpUrl(), nodeId: serverNodeId(task.taskId), token, timeoutMs: (check?.timeout ?? 5) * 1000 }),
    };
  }
  return checkDataplane(entrypoint.script, environment, {
    access: deps.dataplaneAccess,
    consulHttpUrl: deps.consulHttpUrl(),
    readyTimeoutMs: deps.dataplaneReadyTimeoutMs ?? 30_000,
    stillRunning: () => deps.stillRunning(task),
    task,
    ...(tls ? { trust: (trusts) => tls.admitDataplane({ ...member, role: 'dataplane', trusts }) } : {}),
  });
}

/** The hook of the ECS simulation (`startProcesses`): one outcome per container whose process would not serve. */
export function taskProcesses(deps: TaskProcessesDeps): (task: EcsTaskSnapshot, definition: TaskDefinitionRecord) => Promise<ProcessOutcome[]> {
  const shipped = new ShippedImages(deps.projectRoot);
  return async (task, definition) => {
    const verdicts = await Promise.all(
      definition.containerDefinitions.map(async (container) => {
        try {
          return { container: container.name, verdict: await checkContainer(task, container, shipped, deps) };
        } catch (error) {
          deps.logger?.(`process stand-in of ${container.name} failed: ${(error as Error).message}`);
          return { container: container.name, verdict: undefined };
        }
      }),
    );
    const outcomes: ProcessOutcome[] = [];
    for (const { container, verdict } of verdicts) {
      if (!verdict) continue;
      // A probe is the container's health check still to run (every server starts so): not a failure to report.
      if ('probe' in verdict) {
        outcomes.push({ container, probe: verdict.probe, reason: verdict.reason });
        continue;
      }
      deps.logger?.(`task ${task.taskId} container ${container}: ${verdict.reason}`);
      outcomes.push('exitCode' in verdict ? { container, exitCode: verdict.exitCode, reason: verdict.reason } : { container, unhealthy: true, reason: verdict.reason });
    }
    return outcomes;
  };
}
