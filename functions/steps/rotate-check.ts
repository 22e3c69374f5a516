import * as z from 'zod';
import { lazy, parseEvent } from '../../layers/handler-kit';
import { withConsul } from '../../layers/deploy/deps';
import { createRolloutDeps } from '../../layers/rollout/deps';
import { checkRotation } from '../../layers/rotate/roll';
import { PreparedRotationSchema, RotationCheckSchema, StoredSecretSchema } from '../../layers/rotate/schemas';
import { ecsClient, ssmClient } from '../../layers/adapters/aws';

const Event = z.object({ prepared: PreparedRotationSchema, stored: StoredSecretSchema, previous: RotationCheckSchema });
const deps = lazy(() => withConsul(createRolloutDeps({ ecs: ecsClient, ssm: ssmClient })));

/** Rotation step: one round of the wait until every reader runs tasks started after the new version, confirmed by Consul. */
export async function handler(event: unknown) {
  const { prepared, stored, previous } = parseEvent(Event, event, 'rotateCheck input');
  const { clients, consul } = deps();
  return checkRotation(prepared, stored, previous, { ecs: clients.ecs, consul: await consul() });
}
