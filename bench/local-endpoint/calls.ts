/**
 * The three calls measured, each made the way the orchestrator makes it: with the real SDK clients or plain
 * `fetch`, over loopback HTTP, and checked so a wrong answer fails the benchmark instead of timing an error.
 */
import { DescribeTasksCommand, type ECSClient } from '@aws-sdk/client-ecs';
import { PutParameterCommand, type SSMClient } from '@aws-sdk/client-ssm';
import { LOCAL_ACCOUNT_ID, type ServiceProvider } from '@consul-mesh/local-cloud';
import type { Call } from '../lib/load';
import { REGION } from './cloud';

/** A measured call answered something other than what was asked for. */
export class UnexpectedAnswer extends Error {
  override readonly name = 'UnexpectedAnswer';
}

/** DescribeTasks of up to 100 tasks (ECS's limit per call), as the reconcile does page by page. */
export function describeTasksCall(client: ECSClient, cluster: string, taskArns: readonly string[]): Call {
  return async () => {
    const answer = await client.send(new DescribeTasksCommand({ cluster, tasks: [...taskArns] }));
    const described = answer.tasks?.length ?? 0;
    if (described !== taskArns.length || (answer.failures?.length ?? 0) > 0) {
      throw new UnexpectedAnswer(`DescribeTasks described ${described} of ${taskArns.length} tasks (${answer.failures?.length ?? 0} failures)`);
    }
  };
}

/**
 * The server's own share of DescribeTasks: the ECS provider's handler and the JSON serialisation the endpoint does,
 * without HTTP, SigV4 verification or the SDK. Compared with {@link describeTasksCall} it shows where the time goes.
 */
export function describeTasksHandlerCall(provider: ServiceProvider, cluster: string, taskArns: readonly string[]): Call {
  const operation = provider.operations.DescribeTasks;
  if (!operation) throw new RangeError('the provider has no DescribeTasks operation');
  const context = { region: REGION, accountId: LOCAL_ACCOUNT_ID, requestId: 'bench-handler-only' };
  return async () => {
    const answer = (await operation({ cluster, tasks: [...taskArns] }, context)) as { tasks?: unknown[] };
    const body = JSON.stringify(answer);
    if (answer.tasks?.length !== taskArns.length || body.length === 0) {
      throw new UnexpectedAnswer(`DescribeTasks handler described ${answer.tasks?.length ?? 0} of ${taskArns.length} tasks`);
    }
  };
}

/**
 * A rendered `consul.hcl` of about 1 KB, the size the deploy stores. Every PutParameter with `Overwrite` adds a
 * version; Parameter Store keeps the newest 100 and drops the oldest unlabelled one, so repeating it is valid.
 */
export function putParameterCall(client: SSMClient, name: string): Call {
  const value = renderConsulConfig();
  return async () => {
    const answer = await client.send(new PutParameterCommand({ Name: name, Value: value, Type: 'String', Overwrite: true }));
    if (!answer.Version) throw new UnexpectedAnswer('PutParameter answered no Version');
  };
}

export interface RegisteredTask {
  taskId: string;
  taskArn: string;
  privateIp: string;
}

/**
 * `PUT /v1/catalog/register` of one task's service instance on its cluster's synthetic node (the agentless model:
 * `NodeMeta synthetic-node`, `SkipNodeUpdate` so the node itself is not rewritten each time), cycling through
 * `tasks` so the catalog holds one instance per task rather than growing with the request count.
 */
export function catalogRegisterCall(consulUrl: string, cluster: string, tasks: readonly RegisteredTask[]): Call {
  if (tasks.length === 0) throw new RangeError('catalog register needs at least one task to register');
  const url = `${consulUrl}/v1/catalog/register`;
  let next = 0;
  return async () => {
    const task = tasks[next];
    next = (next + 1) % tasks.length;
    const serviceId = `web-${task.taskId}`;
    const response = await fetch(url, {
      method: 'PUT',
      headers: { 'Content-Type': 'application/json' },
      body: JSON.stringify({
        Node: cluster,
        Address: '127.0.0.1',
        NodeMeta: { 'synthetic-node': 'true' },
        SkipNodeUpdate: true,
        Service: { ID: serviceId, Service: 'web', Address: task.privateIp, Port: 8080, Meta: { 'task-arn': task.taskArn } },
        Checks: [{ CheckID: `${serviceId}-ecs-health`, Name: 'ECS health', ServiceID: serviceId, Status: 'passing' }],
      }),
    });
    const body = await response.text();
    if (response.status !== 200 || body.trim() !== 'true') {
      throw new UnexpectedAnswer(`catalog register answered ${response.status}: ${body.slice(0, 200)}`);
    }
  };
}

function renderConsulConfig(): string {
  const lines = [
    'datacenter = "dc1"',
    'data_dir = "/consul/data"',
    'server = false',
    'client_addr = "0.0.0.0"',
    'bind_addr = "{{ GetInterfaceIP \\"eth0\\" }}"',
    'retry_join = ["provider=aws tag_key=consul-server tag_value=mesh"]',
    'ports {',
    '  grpc = 8502',
    '  http = 8500',
    '}',
    'connect {',
    '  enabled = true',
    '}',
    'auto_encrypt {',
    '  tls = true',
    '}',
    'tls {',
    '  defaults {',
    '    ca_file = "/consul/config/ca.pem"',
    '    verify_incoming = false',
    '    verify_outgoing = true',
    '  }',
    '}',
    'enable_central_service_config = true',
  ];
  const base = `${lines.join('\n')}\n`;
  // Pad with comments to about 1 KB, the order of size of the real rendered file.
  return base + '#'.repeat(Math.max(0, 1024 - base.length - 1)) + '\n';
}
