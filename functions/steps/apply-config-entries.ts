import { z } from 'zod';
import { lazy, parseEvent } from '../../layers/handler-kit';
import { createDeployDeps } from '../../layers/deploy/deps';
import { applyConfigEntries } from '../../layers/deploy/config-entries';
import { PlanSchema } from '../../layers/deploy/schemas';
import { stepSpec } from '../../layers/deploy/step-spec';

/** `spec` is `$$.Execution.Input.spec`, checked against the plan's hash. */
const Event = z.object({ plan: PlanSchema, spec: z.unknown() });
const deps = lazy(() => createDeployDeps());

/** Step: service-defaults, ingress-gateway and intentions into Consul (needs a leader; `NoConsulLeader` is retried). */
export async function handler(event: unknown) {
  const input = parseEvent(Event, event, 'applyConfigEntries input');
  const { clients, config, consul } = deps();
  // The spec's SSM copy too: what restores a datacenter that lost every server (layers/recovery).
  return applyConfigEntries(stepSpec(input.spec, input.plan), await consul(), { ssm: clients.ssm, root: config.SSM_PREFIX });
}
