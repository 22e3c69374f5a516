import * as z from 'zod';
import { lazy, parseEvent } from '../../layers/handler-kit';
import { createDeployDeps } from '../../layers/deploy/deps';
import { storeConfiguration } from '../../layers/deploy/config-store';
import { ensureSecrets } from '../../layers/deploy/secrets';
import { PlanSchema } from '../../layers/deploy/schemas';
import { stepSpec } from '../../layers/deploy/step-spec';
import { ssmClient } from '../../layers/adapters/aws';

/** `spec` is `$$.Execution.Input.spec`, checked against the plan's hash. */
const Event = z.object({ plan: PlanSchema, spec: z.unknown() });
const deps = lazy(() => createDeployDeps({ ssm: ssmClient }));

/** Step: create missing secrets (SecureString), store the rendered configuration, label it with the deployment id. */
export async function handler(event: unknown) {
  const input = parseEvent(Event, event, 'storeConfig input');
  const { plan } = input;
  const spec = stepSpec(input.spec, plan);
  const { clients } = deps();
  const secrets = await ensureSecrets(spec, { ssm: clients.ssm });
  const stored = await storeConfiguration(spec, plan.deploymentId, { ssm: clients.ssm });
  // Parameter names only: values never leave SSM.
  return { secretsCreated: secrets.created.length, parameters: stored.map((p) => ({ name: p.name, version: p.version, changed: p.changed })) };
}
