import { z } from 'zod';
import { lazy, parseEvent } from '../../layers/handler-kit';
import { createAwsClients } from '../../layers/adapters/aws';
import { runCaStage } from '../../layers/rotate/ca';
import { rollTargets } from '../../layers/rotate/roll';
import { ActivatedSecretSchema, PreparedRotationSchema, RotationCheckSchema, StoredSecretSchema } from '../../layers/rotate/schemas';
import { storeNewSecret } from '../../layers/rotate/secret';

/** A gossip key or token: `{prepared, activated}`. A CA stage: `{prepared}` (the first), then `{prepared, previous, check}`. */
const Event = z.union([
  z.object({ prepared: PreparedRotationSchema, activated: ActivatedSecretSchema }),
  z.object({ prepared: PreparedRotationSchema, previous: StoredSecretSchema.optional(), check: RotationCheckSchema.optional() }),
]);
const clients = lazy(() => createAwsClients());

/**
 * Rotation step: store the staged secret as the parameter's next version (Consul already accepts it), then roll the
 * services whose tasks read it (UpdateService forceNewDeployment): each new task starts with the new version. For the
 * CA, one stage: its SSM write (the bundle, the key, or the new CA alone), then its roll.
 */
export async function handler(event: unknown) {
  const input = parseEvent(Event, event, 'rotateStore input');
  const { ssm, ecs } = clients();
  if (!('activated' in input)) return runCaStage(input.prepared, input.previous, input.check, { ssm, ecs });
  const stored = await storeNewSecret(input.prepared, input.activated, { ssm });
  await rollTargets(input.prepared, { ecs });
  return stored;
}
