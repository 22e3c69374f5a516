import * as z from 'zod';
import { lazy, parseEvent } from '../../layers/handler-kit';
import { createAwsClients, ecsClient, ssmClient } from '../../layers/adapters/aws';
import { rollTargets } from '../../layers/rotate/roll';
import { ActivatedSecretSchema, PreparedRotationSchema } from '../../layers/rotate/schemas';
import { storeNewSecret } from '../../layers/rotate/secret';

const Event = z.object({ prepared: PreparedRotationSchema, activated: ActivatedSecretSchema });
const clients = lazy(() => createAwsClients({ ecs: ecsClient, ssm: ssmClient }));

/**
 * Rotation step: store the staged secret as the parameter's next version (Consul already accepts it), then roll the
 * services whose tasks read it (UpdateService forceNewDeployment): each new task starts with the new version.
 */
export async function handler(event: unknown) {
  const { prepared, activated } = parseEvent(Event, event, 'rotateStore input');
  const { ssm, ecs } = clients();
  const stored = await storeNewSecret(prepared, activated, { ssm });
  await rollTargets(prepared, { ecs });
  return stored;
}
