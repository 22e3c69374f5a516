import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { Command, CommanderError, InvalidArgumentError, Option } from 'commander';
import { renderCompletion, type Shell } from './completion';
import { validateCommand } from './validate';
import { meshCommand } from './mesh';
import { activityCommand } from './activity';
import { defaultCliDeps, endQuietlyOnClosedPipe, type CliDeps } from './cli-deps';
import { deployCommand } from './deploy';
import { planCommand } from './plan-command';
import { runAction } from './run-action';
import { rolloutCommand, type RolloutOptions } from './rollout';
import { rotateCommand, type RotateOptions } from './rotate';
import { statusCommand } from './status';
import { cancelCommand } from './cancel';
import { destroyCommand, type DestroyOptions } from './destroy';
import { DEFAULT_UI_PORT, uiCommand, type UiOptions } from './ui-command';

/**
 * The `meshctl` command line (DESIGN.md section 4). Each command lives in its own file of `cli/`.
 * `deps` replaces the outside world (streams, clock, AWS clients) in tests; by default the real one.
 */
export function buildProgram(deps: Partial<CliDeps> = {}): Command {
  const io: CliDeps = { ...defaultCliDeps(), ...deps };
  const program = new Command('meshctl')
    .description('Deploy and operate a Consul service mesh on Amazon ECS')
    .version(VERSION)
    .configureOutput({ writeOut: (text) => void io.stdout.write(text), writeErr: (text) => void io.stderr.write(text) })
    .showHelpAfterError();

  program
    .command('validate')
    .argument('<spec>', 'path to a mesh spec (YAML or JSON)')
    .description('validate a mesh spec without touching anything; one line per problem, naming its path')
    .action((spec: string) => {
      process.exitCode = validateCommand(spec, { log: (line) => io.stdout.write(`${line}\n`), error: (line) => io.stderr.write(`${line}\n`) });
    });

  const stateMachineOption = () =>
    new Option('--state-machine-arn <arn>', 'talk to Step Functions directly: the deploy state machine (default: $DEPLOY_STATE_MACHINE_ARN when $MESH_API_URL is unset)');
  const apiUrlOption = () => new Option('--api-url <url>', 'the HTTP API (default: $MESH_API_URL, else the local cloud\'s http://127.0.0.1:3000)');
  const tokenOption = () => new Option('--token <token>', 'the HTTP API\'s bearer token (default: $MESH_API_TOKEN; the local cloud\'s documented default for a 127.0.0.1 or localhost URL)');
  const contextRootOption = () => new Option('--context-root <dir>', 'directory the build contexts are relative to (default: the working directory)');
  const sourceBucketOption = () =>
    new Option('--source-bucket <name>', 'the S3 bucket build contexts are uploaded to (default: $BUILD_SOURCE_BUCKET, the stack output BuildSourceBucketName; the local cloud\'s for the local URL)');

  program
    .command('deploy')
    .argument('<spec>', 'path to a mesh spec (YAML or JSON)')
    .description('deploy a mesh: start the deployment and follow it, stage by stage, to a summary (exit 1 on failure)')
    .addOption(apiUrlOption())
    .addOption(tokenOption())
    .addOption(stateMachineOption())
    .addOption(contextRootOption())
    .addOption(sourceBucketOption())
    .option('--no-wait', 'start the deployment, print its id and return')
    .option('--json', 'machine-readable output', false)
    .option('--poll-seconds <n>', 'seconds between the state machine\'s stability checks', positiveInt, 5)
    .option('--max-rounds <n>', 'checks before a stage times out', positiveInt, 120)
    .action(async (spec: string, opts: { apiUrl?: string; token?: string; stateMachineArn?: string; contextRoot?: string; sourceBucket?: string; wait: boolean; json: boolean; pollSeconds: number; maxRounds: number }) => {
      process.exitCode = await runAction('deploy', io, () => deployCommand(spec, opts, io));
    });

  program
    .command('status')
    .argument('[id]', 'a deployment id, execution name or execution ARN (default: the latest deployment)')
    .description('show the per-stage progress of a deployment, and its summary or cause once it has ended')
    .addOption(apiUrlOption())
    .addOption(tokenOption())
    .addOption(stateMachineOption())
    .option('--mesh <name>', 'without an id: the latest deployment of this mesh')
    .option('--spec <file>', 'without an id: the latest deployment of this spec\'s mesh')
    .option('--watch', 'follow a running deployment to its end', false)
    .option('--json', 'machine-readable output', false)
    .action(async (id: string | undefined, opts: { apiUrl?: string; token?: string; stateMachineArn?: string; mesh?: string; spec?: string; watch: boolean; json: boolean }) => {
      process.exitCode = await runAction('status', io, () => statusCommand(id, opts, io));
    });

  program
    .command('cancel')
    .argument('[id]', 'the id of a deployment (d-...), rollout (r-...), rotation (s-...) or teardown (x-...), or its execution name or ARN (default: the one operation that runs)')
    .description('stop a running deployment, rollout, rotation or teardown: its locks are released at once, so the next operation starts; says what it leaves behind')
    .addOption(apiUrlOption())
    .addOption(tokenOption())
    .addOption(stateMachineOption())
    .option('--mesh <name>', 'without an id: the operation that runs in this mesh')
    .option('--spec <file>', 'without an id: the operation that runs in this spec\'s mesh')
    .action(async (id: string | undefined, opts: { apiUrl?: string; token?: string; stateMachineArn?: string; mesh?: string; spec?: string }) => {
      process.exitCode = await runAction('cancel', io, () => cancelCommand(id, opts, io));
    });

  program
    .command('plan')
    .argument('<spec>', 'path to a mesh spec (YAML or JSON)')
    .description('show what a deployment would create, change, remove and leave alone (POST /plans), without changing anything')
    .addOption(contextRootOption())
    .addOption(apiUrlOption())
    .addOption(tokenOption())
    .option('--json', 'machine-readable output', false)
    .action(async (spec: string, opts: { contextRoot?: string; apiUrl?: string; token?: string; json: boolean }) => {
      process.exitCode = await runAction('plan', io, () => planCommand(spec, opts, io));
    });

  program
    .command('mesh')
    .description('the current topology: per cluster and service, the tasks ECS runs next to the instances Consul has, flagging drift')
    .option('--api-url <url>', 'the HTTP API (default MESH_API_URL, else the local cloud)')
    .option('--token <token>', 'the HTTP API token (default MESH_API_TOKEN)')
    .option('--check', 'exit 1 when Consul and ECS disagree', false)
    .option('--json', 'machine-readable output', false)
    .action(async (opts: { apiUrl?: string; token?: string; check: boolean; json: boolean }) => {
      process.exitCode = await runAction('mesh', io, () => meshCommand(opts, io));
    });

  program
    .command('activity')
    .description('what the orchestrator did with recent task transitions (registered, deregistered, ignored as stale...) and each reconcile run, newest first')
    .option('--api-url <url>', 'the HTTP API (default MESH_API_URL, else the local cloud)')
    .option('--token <token>', 'the HTTP API token (default MESH_API_TOKEN)')
    .option('--since <time>', 'ISO 8601 date-time, at most 24 hours back (default 15 minutes back)')
    .option('--limit <n>', 'at most this many entries (1 to 500, default 100)', positiveInt)
    .option('--service <name>', 'one service\'s task events only')
    .option('--outcome <outcome>', 'task events with this outcome only (registered, deregistered, ignored-stale, ...)')
    .option('--kind <kind>', 'task or reconcile')
    .option('--json', 'machine-readable output', false)
    .action(async (opts: { apiUrl?: string; token?: string; since?: string; limit?: number; service?: string; outcome?: string; kind?: 'task' | 'reconcile'; json: boolean }) => {
      process.exitCode = await runAction('activity', io, () => activityCommand(opts, io));
    });

  program
    .command('rollout')
    .argument('<service>', 'a service of the deployed mesh')
    .description('roll out a new image of one service through the HTTP API: rolling update, verified in Consul, rolled back on failure')
    .option('--image <ref>', 'the new image, pinned (repository:tag or @sha256:...)')
    .option('--build <dir>', 'a build context to build the new image from (hashed here; built by CodeBuild)')
    .option('--dockerfile <file>', 'the Dockerfile in the build context', 'Dockerfile')
    .option('--desired-count <n>', 'the number of tasks to run (default: as now)', nonNegativeInt)
    .option('--bake-seconds <n>', 'how long the new tasks must stay passing in Consul (default: the spec\'s rollout.bakeSeconds)', nonNegativeInt)
    .addOption(apiUrlOption())
    .addOption(tokenOption())
    .addOption(contextRootOption())
    .addOption(sourceBucketOption())
    .option('--no-wait', 'start the rollout, print its id and return')
    .option('--json', 'machine-readable output', false)
    .option('--poll-seconds <n>', 'seconds between the state machine\'s checks', nonNegativeInt, 5)
    .option('--max-rounds <n>', 'checks before the rollout times out (and is rolled back)', positiveInt, 120)
    .action(async (service: string, opts: RolloutOptions) => {
      process.exitCode = await runAction('rollout', io, () => rolloutCommand(service, opts, io));
    });

  program
    .command('rotate')
    .argument('<secret>', 'gossip-key, or acl-token/<role>: server-agent, dataplane/<service>, ingress/<gateway>, mesh-gateway/<gateway>; or ca, the TLS CA')
    .description('rotate one of the mesh\'s secrets through the HTTP API: new secret live in Consul, stored as a new SSM version, the tasks that read it replaced, the old one retired')
    .addOption(apiUrlOption())
    .addOption(tokenOption())
    .option('--no-wait', 'start the rotation, print its id and return')
    .option('--json', 'machine-readable output', false)
    .option('--poll-seconds <n>', 'seconds between the state machine\'s checks', nonNegativeInt, 5)
    .option('--max-rounds <n>', 'checks before the rotation gives up waiting for the tasks', positiveInt, 120)
    .action(async (secret: string, opts: RotateOptions) => {
      process.exitCode = await runAction('rotate', io, () => rotateCommand(secret, opts, io));
    });

  program
    .command('destroy')
    .argument('<target>', 'a mesh spec file, or the mesh\'s name')
    .description('tear a mesh down in reverse order (ingress, service clusters, servers); keeps its secrets and ECR images unless --purge')
    .option('--purge', 'also delete the mesh\'s secrets (SSM) and ECR repositories', false)
    .option('-y, --yes', 'do not ask for confirmation (needed when not on a terminal)', false)
    .addOption(apiUrlOption())
    .addOption(tokenOption())
    .option('--no-wait', 'start the teardown, print its id and return')
    .option('--json', 'machine-readable output', false)
    .option('--poll-seconds <n>', 'seconds between the state machine\'s drain checks', nonNegativeInt, 5)
    .option('--max-rounds <n>', 'checks before a stage times out', positiveInt, 120)
    .action(async (target: string, opts: DestroyOptions) => {
      process.exitCode = await runAction('destroy', io, () => destroyCommand(target, opts, io));
    });

  program
    .command('ui')
    .description('a live web dashboard of deployments, rollouts and the mesh on 127.0.0.1, talking to the HTTP API with your token (built on first use)')
    .addOption(apiUrlOption())
    .addOption(tokenOption())
    .option('--port <n>', 'the port to serve on, on 127.0.0.1 only (0 picks a free one)', portNumber, DEFAULT_UI_PORT)
    .action(async (opts: UiOptions) => {
      process.exitCode = await runAction('ui', io, () => uiCommand(opts, io));
    });

  program
    .command('completion')
    .argument('<shell>', 'bash or zsh', (value: string) => {
      if (value !== 'bash' && value !== 'zsh') throw new InvalidArgumentError('must be bash or zsh');
      return value as Shell;
    })
    .description('print a shell completion script for meshctl')
    .action((shell: Shell) => {
      io.stdout.write(renderCompletion(program, shell));
    });

  for (const command of program.commands) {
    const example = EXAMPLES[command.name()];
    if (example) command.addHelpText('after', `\nExample:\n${example.map((line) => `  $ ${line}`).join('\n')}\n${EXIT_CODES}`);
  }
  program.addHelpText('after', `\nExample:\n  $ npx meshctl validate examples/mesh.yaml\n  $ npx meshctl deploy examples/mesh.yaml\n  $ npx meshctl cancel\n${EXIT_CODES}`);
  // A wrong command line exits 2 (the usage convention), not 1, which means the operation itself failed.
  program.exitOverride((error) => {
    throw error;
  });
  for (const command of program.commands) command.exitOverride((error) => {
    throw error;
  });
  return program;
}

/** The package's version (`meshctl --version`). */
const VERSION = (JSON.parse(readFileSync(join(__dirname, '..', 'package.json'), 'utf8')) as { version: string }).version;

const EXIT_CODES = '\nExit codes: 0 ok, 1 the operation failed (invalid spec, failed deployment, drift with --check), 2 wrong usage, 130 interrupted.';

/** One example per command, shown by `meshctl <command> --help`. */
const EXAMPLES: Record<string, string[]> = {
  validate: ['npx meshctl validate examples/mesh.yaml'],
  deploy: ['npx meshctl deploy examples/mesh.yaml', 'npx meshctl deploy examples/mesh.yaml --no-wait --json'],
  status: ['npx meshctl status --watch', 'npx meshctl status d-20261125010718-izkksk --json'],
  cancel: ['npx meshctl cancel', 'npx meshctl cancel r-20261125010718-k3x9q0', 'npx meshctl cancel d-20261125010718-izkksk'],
  plan: ['npx meshctl plan examples/mesh.yaml'],
  mesh: ['npx meshctl mesh --check'],
  activity: ['npx meshctl activity --service users', 'npx meshctl activity --kind reconcile --since 2026-12-06T10:00:00Z --json'],
  rollout: ['npx meshctl rollout users --image users:1.1.0', 'npx meshctl rollout users --build docker/services/users --bake-seconds 60'],
  rotate: ['npx meshctl rotate gossip-key', 'npx meshctl rotate acl-token/dataplane/users'],
  destroy: ['npx meshctl destroy examples/mesh.yaml', 'npx meshctl destroy reference-mesh --purge --yes'],
  ui: ['npx meshctl ui', 'MESH_API_URL=https://abc123.execute-api.eu-west-1.amazonaws.com MESH_API_TOKEN=... npx meshctl ui --port 8091'],
  completion: ['eval "$(npx meshctl completion bash)"', 'npx meshctl completion zsh >> ~/.zshrc'],
};

/** Runs meshctl: the exit code of its command, 2 for a wrong command line, 0 after --help or --version. */
export async function run(argv: string[], deps: Partial<CliDeps> = {}): Promise<number> {
  process.exitCode = undefined;
  try {
    await buildProgram(deps).parseAsync(argv);
  } catch (error) {
    if (!(error instanceof CommanderError)) throw error;
    return error.exitCode === 0 ? 0 : 2;
  }
  return Number(process.exitCode ?? 0);
}

function nonNegativeInt(value: string): number {
  const n = Number(value);
  if (!/^\d+$/.test(value) || !Number.isInteger(n)) throw new InvalidArgumentError('must be a whole number');
  return n;
}

function portNumber(value: string): number {
  const n = Number(value);
  if (!/^\d+$/.test(value) || n > 65535) throw new InvalidArgumentError('must be a port number (0 to 65535)');
  return n;
}

function positiveInt(value: string): number {
  const n = Number(value);
  if (!Number.isInteger(n) || n < 1) throw new InvalidArgumentError('must be a positive integer');
  return n;
}

export async function main(argv: string[]): Promise<void> {
  endQuietlyOnClosedPipe(process.stdout);
  process.exitCode = await run(argv);
}
