import * as z from 'zod';
import { lazy, parseEvent } from '../../layers/handler-kit';
import { createRotationDeps } from '../../layers/rotate/deps';
import { PreparedRotationSchema } from '../../layers/rotate/schemas';
import { activateNewSecret } from '../../layers/rotate/secret';
import { ssmClient } from '../../layers/adapters/aws';

const Event = z.object({ prepared: PreparedRotationSchema });
const deps = lazy(() => createRotationDeps({ ssm: ssmClient }));

/**
 * Rotation step (management token; reads SSM, never writes it): the staged secret live in Consul next to the old one
 * (keyring install + use, or a new token). Returns versions and AccessorIDs only, never a value.
 */
export async function handler(event: unknown) {
  const { prepared } = parseEvent(Event, event, 'rotateActivate input');
  const { clients, management } = deps();
  return activateNewSecret(prepared, { ssm: clients.ssm, consul: await management() });
}
