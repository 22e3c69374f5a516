import { createApiDeps } from '../../layers/api/deps';
import { buildRouter, handleApiEvent, type LambdaContext } from '../../layers/api/router';
import { lazy } from '../../layers/handler-kit';
import { createLogger } from '../../layers/logger';

const logger = lazy(() => createLogger(process.env.POWERTOOLS_SERVICE_NAME ?? 'consul-mesh-api'));
const app = lazy(() => buildRouter(lazy(() => createApiDeps()), logger()));

/** API Gateway HTTP API (payload 2.0) → every route of the mesh API (layers/api/router.ts). */
export async function handler(event: unknown, context: LambdaContext) {
  return handleApiEvent(app(), event, context, logger());
}
