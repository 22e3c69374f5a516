import type { SsmProvider } from './aws/ssm/provider';
import type { EcsSimulation, EcsTaskSnapshot } from './aws/ecs/simulation';
import type { ConsulServer } from './consul';
import { LOCAL_ACCOUNT_ID } from './aws/protocol';
import { SERVER_RPC_PORT } from './consul/leadership';
import type { ProductConventions } from './conventions';

/**
 * On AWS, ECS injects the ACL bootstrap token into the Consul server container from SSM (the task definition's
 * `secrets`), and the server makes it the `initial_management` token. The emulator has no server process, so when
 * a server task starts RUNNING this reads the same task-definition secret from the local SSM, decrypted as ECS
 * would, and registers it in the local Consul as a management token. It follows the task itself, not its
 * EventBridge event: a server knows its token from its configuration, however late or lost the event is. Likewise the gossip key: the server joins the
 * gossip pool with the key SSM holds at its start (a key rotated later reaches only servers started after it).
 */
export async function syncConsulAcl(
  task: Pick<EcsTaskSnapshot, 'lastStatus' | 'taskDefinitionArn' | 'privateIp'>,
  deps: { ssm: SsmProvider; ecs: EcsSimulation; consul: ConsulServer; region: string; seen: Set<string>; secrets: Pick<ProductConventions['serverSecrets'], 'gossipKey' | 'bootstrapToken'> },
): Promise<void> {
  if (task.lastStatus !== 'RUNNING' || !task.taskDefinitionArn) return;
  const ctx = { region: deps.region, accountId: LOCAL_ACCOUNT_ID, requestId: 'local-acl' };
  const described = (await deps.ecs.provider.operations.DescribeTaskDefinition({ taskDefinition: task.taskDefinitionArn }, ctx)) as {
    taskDefinition?: { containerDefinitions?: Array<{ secrets?: Array<{ name: string; valueFrom: string }> }> };
  };
  const secrets = described.taskDefinition?.containerDefinitions?.flatMap((c) => c.secrets ?? []) ?? [];
  const gossip = secrets.find((s) => s.name === deps.secrets.gossipKey);
  const ip = task.privateIp;
  if (gossip && ip) deps.consul.keyring.join(`${ip}:${SERVER_RPC_PORT}`, await readParameter(deps.ssm, gossip.valueFrom, ctx));
  for (const secret of secrets.filter((s) => s.name === deps.secrets.bootstrapToken)) {
    const name = secret.valueFrom.startsWith('arn:') ? `/${secret.valueFrom.slice(secret.valueFrom.indexOf(':parameter/') + ':parameter/'.length)}` : secret.valueFrom;
    try {
      const { Parameter } = (await deps.ssm.operations.GetParameter({ Name: name, WithDecryption: true }, ctx)) as { Parameter?: { Value?: string } };
      const token = Parameter?.Value;
      if (token && !deps.seen.has(token)) {
        deps.consul.addToken(token, 'management');
        deps.seen.add(token);
      }
    } catch {
      // No such parameter: on AWS the task would fail to start; here the servers simply run without that token.
    }
  }
}

/** The decrypted value of a task-definition secret (an SSM name or ARN), or undefined when it does not exist. */
async function readParameter(ssm: SsmProvider, valueFrom: string, ctx: { region: string; accountId: string; requestId: string }): Promise<string | undefined> {
  const name = valueFrom.startsWith('arn:') ? `/${valueFrom.slice(valueFrom.indexOf(':parameter/') + ':parameter/'.length)}` : valueFrom;
  try {
    const { Parameter } = (await ssm.operations.GetParameter({ Name: name, WithDecryption: true }, ctx)) as { Parameter?: { Value?: string } };
    return Parameter?.Value;
  } catch {
    return undefined;
  }
}
