import * as z from 'zod';
import { lazy, parseEvent } from '../../layers/handler-kit';
import { createDeployDeps, ecsContexts, withConsul } from '../../layers/deploy/deps';
import { planDeployment } from '../../layers/deploy/plan';
import { executionHolders } from '../../layers/adapters/execution-status';
import { createLogger } from '../../layers/logger';
import { ecsClient, ssmClient, ecrClient, sfnClient } from '../../layers/adapters/aws';

const Event = z.object({
  deploymentId: z.string().regex(/^[A-Za-z0-9._-]{1,80}$/, 'must be letters, digits, . _ -'),
  spec: z.unknown(),
  executionId: z.string().min(1),
  settings: z.object({ pollSeconds: z.number().int().min(0).optional(), maxRounds: z.number().int().min(1).optional() }).optional(),
});

const deps = lazy(() => withConsul(createDeployDeps({ ecs: ecsClient, ssm: ssmClient, ecr: ecrClient, sfn: sfnClient })));
const logger = lazy(() => createLogger('plan-deployment'));

/**
 * Step: validate the spec, wait for the restore of a datacenter that lost every server (`DatacenterRecovering`,
 * retried), take the mesh lock, compute the change set (refusing what no deployment can make).
 * `SpecInvalid` names every bad path; `ChangeRefused` names every refused change.
 */
export async function handler(event: unknown) {
  const input = parseEvent(Event, event, 'planDeployment input');
  const { clients, config, consul } = deps();
  const contexts = ecsContexts(config);
  return planDeployment(input, {
    ecs: clients.ecs,
    ssm: clients.ssm,
    ecr: clients.ecr,
    // Consul answers once the mesh's servers run; before that the config entries' SSM copies stand for it.
    consul: config.CONSUL_HTTP_ADDR ? consul : undefined,
    datacenter: config.CONSUL_HTTP_ADDR ? consul : undefined,
    context: { ...contexts, registry: `${contexts.taskContext.accountId}.dkr.ecr.${process.env.AWS_REGION ?? 'us-east-1'}.amazonaws.com` },
    defaults: { pollSeconds: config.POLL_SECONDS, maxRounds: config.MAX_ROUNDS },
    limits: { region: config.AWS_REGION, appSecretsPath: config.APP_SECRETS_PATH },
    holders: executionHolders(clients.sfn),
    onTakeover: ({ name, previous, reason }) => logger().warn('lock taken over', { lock: name, previousHolder: previous.holder, reason }),
  });
}
