import * as z from 'zod';
import { lazy, parseEvent } from '../../layers/handler-kit';
import { createAwsClients, ssmClient } from '../../layers/adapters/aws';
import { consulFromSsm } from '../../layers/adapters/consul-token';
import { createConsulAclClient } from '../../layers/adapters/consul-acl';
import { readConfig } from '../../layers/config';
import { aclRemovals, ensureAcl } from '../../layers/deploy/acl';
import { PlanSchema } from '../../layers/deploy/schemas';
import { stepSpec } from '../../layers/deploy/step-spec';

/** `spec` is `$$.Execution.Input.spec`, checked against the plan's hash. */
const Event = z.object({ plan: PlanSchema, spec: z.unknown() });

/**
 * The one function that holds the management token (CONSUL_TOKEN_PARAMETER = the bootstrap token's parameter;
 * its IAM role is the only one allowed to read it): it creates the mesh's ACL policies and tokens.
 */
const deps = lazy(() => {
  const config = readConfig(process.env, ['CONSUL_HTTP_ADDR', 'CONSUL_TOKEN_PARAMETER']);
  const clients = createAwsClients({ ssm: ssmClient });
  return {
    ssm: clients.ssm,
    ssmRoot: config.SSM_PREFIX,
    consul: consulFromSsm({ address: config.CONSUL_HTTP_ADDR, tokenParameter: config.CONSUL_TOKEN_PARAMETER, ssm: clients.ssm, create: createConsulAclClient }),
  };
});

/** Step: the mesh's ACL policies and tokens in Consul (needs a leader; `NoConsulLeader` is retried). */
export async function handler(event: unknown) {
  const input = parseEvent(Event, event, 'ensureAcl input');
  const { ssm, ssmRoot, consul } = deps();
  // Names only: SecretIDs never leave SSM and Consul.
  return ensureAcl(stepSpec(input.spec, input.plan), { ssm, ssmRoot, consul: await consul() }, aclRemovals(input.plan));
}
