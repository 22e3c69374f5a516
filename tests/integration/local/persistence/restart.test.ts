/**
 * `--data-dir`: state created through the real SDK clients and the Consul HTTP API survives a stop and a start
 * of the local cloud; ECS services run their desired count again (fresh tasks), executions that were running when
 * the process died come back ABORTED, and the rules of serverless.yml are not duplicated.
 */
import { cpSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { BatchGetBuildsCommand, CreateProjectCommand, StartBuildCommand } from '@aws-sdk/client-codebuild';
import { CreateRepositoryCommand, DescribeImagesCommand, PutImageCommand } from '@aws-sdk/client-ecr';
import { CreateClusterCommand, CreateServiceCommand, DescribeServicesCommand, ListTasksCommand, RegisterTaskDefinitionCommand } from '@aws-sdk/client-ecs';
import { DescribeRuleCommand, ListRulesCommand, ListTargetsByRuleCommand, PutRuleCommand, PutTargetsCommand } from '@aws-sdk/client-eventbridge';
import { CreateStateMachineCommand, DescribeExecutionCommand, GetExecutionHistoryCommand, StartExecutionCommand, StopExecutionCommand } from '@aws-sdk/client-sfn';
import { GetParameterCommand, GetParameterHistoryCommand, LabelParameterVersionCommand, PutParameterCommand } from '@aws-sdk/client-ssm';
import type { LocalCloud } from '../../../../local/cloud';
import { clientsFor, portsOf, startPersistentCloud, tempDir, waitFor, type Clients } from './harness';

const CLUSTER = 'persist-cluster';
const TOKEN = 'persist-test-management-token';
const ROLE = 'arn:aws:iam::000000000000:role/persist-test';
const NETWORK = { awsvpcConfiguration: { subnets: ['subnet-0aaa1111'], securityGroups: ['sg-0ccc3333'] } };
const PASS = JSON.stringify({ StartAt: 'Greet', States: { Greet: { Type: 'Pass', Result: { hello: 'world' }, End: true } } });
/** 100,000 s: at the time scale of these clouds (0.001) it outlives every test. */
const HOLD = JSON.stringify({ StartAt: 'Hold', States: { Hold: { Type: 'Wait', Seconds: 100_000, End: true } } });
const MANIFEST = JSON.stringify({
  schemaVersion: 2,
  mediaType: 'application/vnd.docker.distribution.manifest.v2+json',
  config: { mediaType: 'application/vnd.docker.container.image.v1+json', size: 10, digest: `sha256:${'a'.repeat(64)}` },
  layers: [{ mediaType: 'application/vnd.docker.image.rootfs.diff.tar.gzip', size: 2048, digest: `sha256:${'b'.repeat(64)}` }],
});

/** Consul's HTTP API with the management token. */
async function consul(cloud: LocalCloud, path: string, init: RequestInit = {}): Promise<Response> {
  return fetch(`${cloud.endpoints.consul}${path}`, { ...init, headers: { 'X-Consul-Token': TOKEN, ...init.headers } });
}

async function serviceOf(clients: Clients, name: string) {
  const { services } = await clients.ecs.send(new DescribeServicesCommand({ cluster: CLUSTER, services: [name] }));
  return services![0];
}

/** Waits until the service runs its desired count with one deployment (ECS's services-stable condition). */
function stable(clients: Clients, name: string) {
  return waitFor(`${name} to be stable`, async () => {
    const service = await serviceOf(clients, name);
    return service.deployments?.length === 1 && service.runningCount === service.desiredCount ? service : undefined;
  });
}

async function taskArns(clients: Clients, serviceName: string): Promise<string[]> {
  const { taskArns } = await clients.ecs.send(new ListTasksCommand({ cluster: CLUSTER, serviceName }));
  return [...(taskArns ?? [])].sort();
}

async function history(clients: Clients, executionArn: string) {
  const { events } = await clients.sfn.send(new GetExecutionHistoryCommand({ executionArn, maxResults: 1000 }));
  return events ?? [];
}

/** Everything the first cloud showed before it stopped, to compare with what the second one shows. */
interface Before {
  webTasks: string[];
  passExecution: string;
  passHistory: unknown[];
  holdExecution: string;
  buildId: string;
  digest: string;
  ruleCount: number;
  consulIndex: number;
}

const dir = tempDir('local-cloud-data-');
const crashDir = tempDir('local-cloud-crash-');
let first: LocalCloud | undefined;
let second: LocalCloud | undefined;
let clients: Clients;
const before = {} as Before;

/** Creates state in every service of the first cloud. */
async function createState(cloud: LocalCloud, c: Clients): Promise<void> {
  await c.ssm.send(new PutParameterCommand({ Name: '/persist/db-url', Type: 'String', Value: 'postgres://one' }));
  await c.ssm.send(new PutParameterCommand({ Name: '/persist/db-url', Type: 'String', Value: 'postgres://two', Overwrite: true }));
  await c.ssm.send(new LabelParameterVersionCommand({ Name: '/persist/db-url', ParameterVersion: 1, Labels: ['stable'] }));
  await c.ssm.send(new PutParameterCommand({ Name: '/persist/secret', Type: 'SecureString', Value: 's3cr3t' }));

  await c.ecr.send(new CreateRepositoryCommand({ repositoryName: 'persist/users' }));
  const pushed = await c.ecr.send(new PutImageCommand({ repositoryName: 'persist/users', imageManifest: MANIFEST, imageTag: 'v1' }));
  before.digest = pushed.image!.imageId!.imageDigest!;

  await c.ecs.send(new CreateClusterCommand({ clusterName: CLUSTER }));
  for (const family of ['consul-server', 'web']) {
    await c.ecs.send(
      new RegisterTaskDefinitionCommand({
        family,
        networkMode: 'awsvpc',
        requiresCompatibilities: ['FARGATE'],
        cpu: '256',
        memory: '512',
        containerDefinitions: [{ name: family, image: `registry.local/${family}:1.0.0`, essential: true }],
      }),
    );
  }
  // A consul-server service gives the Consul emulator its quorum (a leader), as in the real topology.
  await c.ecs.send(new CreateServiceCommand({ cluster: CLUSTER, serviceName: 'consul-server', taskDefinition: 'consul-server', desiredCount: 1, networkConfiguration: NETWORK }));
  await c.ecs.send(new CreateServiceCommand({ cluster: CLUSTER, serviceName: 'web', taskDefinition: 'web', desiredCount: 2, networkConfiguration: NETWORK }));
  await stable(c, 'consul-server');
  await stable(c, 'web');
  before.webTasks = await taskArns(c, 'web');

  await c.events.send(new PutRuleCommand({ Name: 'persist-rule', EventPattern: JSON.stringify({ source: ['persist.app'] }), State: 'DISABLED', Description: 'made by the API' }));
  await c.events.send(new PutTargetsCommand({ Rule: 'persist-rule', Targets: [{ Id: 'fn', Arn: 'arn:aws:lambda:us-east-1:000000000000:function:persist-target', InputPath: '$.detail' }] }));
  before.ruleCount = (await c.events.send(new ListRulesCommand({}))).Rules!.length;

  const { stateMachineArn: pass } = await c.sfn.send(new CreateStateMachineCommand({ name: 'persist-pass', definition: PASS, roleArn: ROLE }));
  const { executionArn } = await c.sfn.send(new StartExecutionCommand({ stateMachineArn: pass, name: 'run-1', input: '{"n":1}' }));
  before.passExecution = executionArn!;
  await waitFor('the Pass execution', async () => ((await c.sfn.send(new DescribeExecutionCommand({ executionArn }))).status === 'SUCCEEDED' ? true : undefined));
  before.passHistory = await history(c, executionArn!);
  const { stateMachineArn: hold } = await c.sfn.send(new CreateStateMachineCommand({ name: 'persist-hold', definition: HOLD, roleArn: ROLE }));
  before.holdExecution = (await c.sfn.send(new StartExecutionCommand({ stateMachineArn: hold, name: 'held' }))).executionArn!;

  await c.codebuild.send(
    new CreateProjectCommand({
      name: 'persist-project',
      source: { type: 'NO_SOURCE', location: 'no/such/context', buildspec: 'buildspec.yml' },
      artifacts: { type: 'NO_ARTIFACTS' },
      environment: { type: 'LINUX_CONTAINER', image: 'aws/codebuild/standard:7.0', computeType: 'BUILD_GENERAL1_SMALL' },
      serviceRole: ROLE,
    }),
  );
  before.buildId = (await c.codebuild.send(new StartBuildCommand({ projectName: 'persist-project' }))).build!.id!;
  await waitFor('the build to complete', async () => ((await c.codebuild.send(new BatchGetBuildsCommand({ ids: [before.buildId] }))).builds![0].buildComplete ? true : undefined));

  // The management token a Consul server would take from SSM at start; then KV, a config entry, a registration.
  cloud.consul.addToken(TOKEN, 'management');
  await waitFor('a Consul leader', async () => ((await (await consul(cloud, '/v1/status/leader')).json()) ? true : undefined));
  expect((await consul(cloud, '/v1/kv/persist/greeting', { method: 'PUT', body: 'hello' })).status).toBe(200);
  expect((await consul(cloud, '/v1/config', { method: 'PUT', body: JSON.stringify({ Kind: 'service-defaults', Name: 'web', Protocol: 'http' }) })).status).toBe(200);
  const register = { Node: 'persist-node', Address: '10.9.9.9', NodeMeta: { 'synthetic-node': 'true' }, Service: { ID: 'web-1', Service: 'web', Port: 8080 } };
  expect((await consul(cloud, '/v1/catalog/register', { method: 'PUT', body: JSON.stringify(register) })).status).toBe(200);
  before.consulIndex = Number((await consul(cloud, '/v1/kv/persist/greeting')).headers.get('x-consul-index'));
}

beforeAll(async () => {
  first = await startPersistentCloud(dir.path, { stepFunctionsTimeScale: 0.001 });
  const firstClients = clientsFor(first);
  const ports = portsOf(first);
  try {
    await createState(first, firstClients);
    // What a crash would leave behind: the files as last saved, with the Hold execution still RUNNING.
    await first.persistence!.flush();
    cpSync(dir.path, crashDir.path, { recursive: true });
  } finally {
    firstClients.destroy();
    await first.stop();
    first = undefined;
  }
  second = await startPersistentCloud(dir.path, { stepFunctionsTimeScale: 0.001, ports });
  clients = clientsFor(second);
});

afterAll(async () => {
  clients?.destroy();
  await first?.stop();
  await second?.stop();
  dir.remove();
  crashDir.remove();
});

describe('after a stop and a start with the same data directory', () => {
  it('has the SSM parameters with their versions, labels and SecureString values', async () => {
    const latest = await clients.ssm.send(new GetParameterCommand({ Name: '/persist/db-url' }));
    const labelled = await clients.ssm.send(new GetParameterCommand({ Name: '/persist/db-url:stable' }));
    const secret = await clients.ssm.send(new GetParameterCommand({ Name: '/persist/secret', WithDecryption: true }));
    const versions = await clients.ssm.send(new GetParameterHistoryCommand({ Name: '/persist/db-url' }));

    expect(latest.Parameter).toMatchObject({ Value: 'postgres://two', Version: 2 });
    expect(labelled.Parameter).toMatchObject({ Value: 'postgres://one', Version: 1, Selector: ':stable' });
    expect(secret.Parameter?.Value).toBe('s3cr3t');
    expect(versions.Parameters?.map((p) => [p.Version, p.Labels])).toEqual([
      [1, ['stable']],
      [2, []],
    ]);
  });

  it('has the ECR repository and its tagged image', async () => {
    const { imageDetails } = await clients.ecr.send(new DescribeImagesCommand({ repositoryName: 'persist/users' }));

    expect(imageDetails).toHaveLength(1);
    expect(imageDetails![0]).toMatchObject({ imageDigest: before.digest, imageTags: ['v1'], imageSizeInBytes: 2048 });
  });

  it('runs every ECS service at its desired count again, with fresh tasks and one PRIMARY deployment', async () => {
    const web = await stable(clients, 'web');
    await stable(clients, 'consul-server');
    const tasks = await taskArns(clients, 'web');

    expect(web).toMatchObject({ status: 'ACTIVE', desiredCount: 2, runningCount: 2 });
    expect(web.deployments?.map((d) => [d.status, d.rolloutState])).toEqual([['PRIMARY', 'COMPLETED']]);
    expect(web.events?.some((e) => e.message?.includes('has reached a steady state'))).toBe(true);
    expect(tasks).toHaveLength(2);
    expect(tasks.filter((arn) => before.webTasks.includes(arn))).toEqual([]);
  });

  it('has the API-created EventBridge rule with its target, and the serverless.yml rules once each', async () => {
    const rule = await clients.events.send(new DescribeRuleCommand({ Name: 'persist-rule' }));
    const { Targets } = await clients.events.send(new ListTargetsByRuleCommand({ Rule: 'persist-rule' }));
    const { Rules } = await clients.events.send(new ListRulesCommand({}));

    expect(rule).toMatchObject({ State: 'DISABLED', Description: 'made by the API', EventPattern: JSON.stringify({ source: ['persist.app'] }) });
    expect(Targets).toEqual([{ Id: 'fn', Arn: 'arn:aws:lambda:us-east-1:000000000000:function:persist-target', InputPath: '$.detail' }]);
    expect(Rules).toHaveLength(before.ruleCount);
    const events = JSON.parse(readFileSync(join(dir.path, 'events.json'), 'utf8')) as { data: { rules: { name: string }[] } };
    expect(events.data.rules.map((r) => r.name)).toEqual(['persist-rule']);
  });

  it('has the closed execution with its whole history, and refuses its name again', async () => {
    const described = await clients.sfn.send(new DescribeExecutionCommand({ executionArn: before.passExecution }));
    const events = await history(clients, before.passExecution);

    expect(described).toMatchObject({ status: 'SUCCEEDED', output: JSON.stringify({ hello: 'world' }) });
    expect(events).toEqual(before.passHistory);
    await expect(
      clients.sfn.send(new StartExecutionCommand({ stateMachineArn: described.stateMachineArn, name: 'run-1', input: '{"n":1}' })),
    ).rejects.toMatchObject({ name: 'ExecutionAlreadyExists' });
  });

  it('has the execution that was running at the stop closed as ABORTED by the shutdown', async () => {
    const described = await clients.sfn.send(new DescribeExecutionCommand({ executionArn: before.holdExecution }));
    const events = await history(clients, before.holdExecution);

    expect(described).toMatchObject({ status: 'ABORTED', cause: 'The local cloud was shut down.' });
    expect(events.at(-1)?.type).toBe('ExecutionAborted');
  });

  it('has the CodeBuild project and its finished build', async () => {
    const { builds } = await clients.codebuild.send(new BatchGetBuildsCommand({ ids: [before.buildId] }));
    const next = await clients.codebuild.send(new StartBuildCommand({ projectName: 'persist-project' }));

    expect(builds![0]).toMatchObject({ buildComplete: true, buildStatus: 'FAILED', buildNumber: 1 });
    expect(next.build?.buildNumber).toBe(2);
  });

  it('has the Consul KV entry, config entry, ACL token and catalog, at an index that did not go backwards', async () => {
    await waitFor('a Consul leader', async () => ((await (await consul(second!, '/v1/status/leader')).json()) ? true : undefined));
    const kv = await consul(second!, '/v1/kv/persist/greeting?raw');
    const config = (await (await consul(second!, '/v1/config/service-defaults/web')).json()) as Record<string, unknown>;
    const node = (await (await consul(second!, '/v1/catalog/node/persist-node')).json()) as { Services: Record<string, { Port: number }> };
    const anonymous = await fetch(`${second!.endpoints.consul}/v1/kv/persist/greeting`);

    expect(await kv.text()).toBe('hello');
    expect(Number(kv.headers.get('x-consul-index'))).toBeGreaterThanOrEqual(before.consulIndex);
    expect(config).toMatchObject({ Kind: 'service-defaults', Name: 'web', Protocol: 'http' });
    expect(node.Services['web-1'].Port).toBe(8080);
    expect(anonymous.status).toBe(403);
  });
});

describe('after a crash (the files as last saved while running)', () => {
  let crashed: LocalCloud;
  let crashedClients: Clients;

  beforeAll(async () => {
    const ports = portsOf(second!);
    clients.destroy();
    await second!.stop();
    second = undefined;
    crashed = await startPersistentCloud(crashDir.path, { ports });
    crashedClients = clientsFor(crashed);
  });

  afterAll(async () => {
    crashedClients.destroy();
    await crashed.stop();
  });

  it('closes an execution saved while RUNNING as ABORTED with the cause "local cloud restarted"', async () => {
    const described = await crashedClients.sfn.send(new DescribeExecutionCommand({ executionArn: before.holdExecution }));
    const events = await history(crashedClients, before.holdExecution);
    const stop = await crashedClients.sfn.send(new StopExecutionCommand({ executionArn: before.holdExecution, cause: 'too late' }));

    expect(described).toMatchObject({ status: 'ABORTED', error: 'States.Aborted', cause: 'local cloud restarted' });
    expect(events.map((e) => e.type)).toEqual(['ExecutionStarted', 'WaitStateEntered', 'ExecutionAborted']);
    expect(events.at(-1)?.executionAbortedEventDetails).toEqual({ error: 'States.Aborted', cause: 'local cloud restarted' });
    expect(stop.stopDate).toEqual(described.stopDate);
  });
});
