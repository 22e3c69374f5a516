import { Router } from '@aws-lambda-powertools/event-handler/http';
import type { ApiDeps } from './deps';
import { cancelDeployment, getDeployment, listDeployments, startDeployment } from './deployments';
import { mapError } from './error-mapper';
import { UnauthorizedError } from '../errors';
import { describeMesh } from './mesh';
import { getDestroy, startDestroy } from './destroys';
import { parseWith, readBody } from './request';
import { NoQuerySchema } from './schemas';
import { getRollout, startRollout } from './rollouts';
import { planChanges } from './plans';
import { getRotation, startRotation } from './rotations';
import { cancelOperation, listRunningOperations } from './operations';
import { listActivity, parseActivityQuery } from './activity';

/** What the router logs through (the Powertools logger of layers/logger.ts, or a test's recorder). */
export interface ApiLogger {
  debug(message: string, ...attributes: Array<Record<string, unknown>>): void;
  info(message: string, ...attributes: Array<Record<string, unknown>>): void;
  warn(message: string, ...attributes: Array<Record<string, unknown>>): void;
  error(message: string, ...attributes: Array<Record<string, unknown>>): void;
}

/** The Lambda context, as the router takes it. */
export type LambdaContext = Parameters<Router['resolve']>[1];

/** The parts of a payload 2.0 event the routes read (Powertools types the event through the `aws-lambda` types). */
interface ApiEvent {
  body?: string | null;
  isBase64Encoded?: boolean;
  headers?: Record<string, string | undefined>;
  queryStringParameters?: Record<string, string | undefined>;
  requestContext?: { requestId?: string; authorizer?: { lambda?: Record<string, unknown> | null } };
}

/**
 * The HTTP API (DESIGN.md section 4) as one Powertools router: the routes, the check that the authorizer
 * ran, and the one error mapper. Each route parses what it needs and calls the logic in this folder; `deps` is
 * called on the first request that needs it, so a bad environment is a logged 500, not a crashed cold start.
 */
export function buildRouter(deps: () => ApiDeps, logger: ApiLogger): Router {
  const app = new Router({ logger });

  // Defence in depth: every route is declared behind the `meshToken` authorizer; should one ever be deployed
  // without it, the request still carries no authorizer context and is refused here.
  app.use(async ({ reqCtx, next }) => {
    const event = reqCtx.event as ApiEvent;
    const principal = event.requestContext?.authorizer?.lambda?.principal;
    if (typeof principal !== 'string' || principal === '') throw new UnauthorizedError('this route requires a valid bearer token');
    await next();
  });

  app.post('/deployments', async (reqCtx) => {
    const event = reqCtx.event as ApiEvent;
    const started = await startDeployment(readBody(event), query(event), deps());
    return json(202, started, { location: `/deployments/${started.id}` });
  });
  app.post('/plans', async (reqCtx) => {
    const event = reqCtx.event as ApiEvent;
    noQuery(event);
    return json(200, await planChanges(readBody(event), { meshName: deps().meshName, stackLimits: deps().stackLimits, planner: deps().planner }));
  });
  app.get('/deployments', async (reqCtx) => json(200, await listDeployments(query(reqCtx.event as ApiEvent), deps())));
  app.get('/deployments/:id', async (reqCtx) => {
    noQuery(reqCtx.event as ApiEvent);
    return json(200, await getDeployment(reqCtx.params.id, deps()));
  });
  app.post('/deployments/:id/cancel', async (reqCtx) => {
    noQuery(reqCtx.event as ApiEvent);
    return json(202, await cancelDeployment(reqCtx.params.id, deps()));
  });
  app.get('/operations', async (reqCtx) => {
    noQuery(reqCtx.event as ApiEvent);
    return json(200, await listRunningOperations(deps()));
  });
  app.post('/operations/:id/cancel', async (reqCtx) => {
    noQuery(reqCtx.event as ApiEvent);
    return json(202, await cancelOperation(reqCtx.params.id, deps()));
  });
  app.post('/services/:service/rollouts', async (reqCtx) => {
    const event = reqCtx.event as ApiEvent;
    const started = await startRollout(reqCtx.params.service, readBody(event), query(event), deps());
    return json(202, started, { location: `/services/${started.service}/rollouts/${started.id}` });
  });
  app.get('/services/:service/rollouts/:id', async (reqCtx) => {
    noQuery(reqCtx.event as ApiEvent);
    return json(200, await getRollout(reqCtx.params.service, reqCtx.params.id, deps()));
  });
  app.post('/rotations', async (reqCtx) => {
    const event = reqCtx.event as ApiEvent;
    const started = await startRotation(readBody(event), query(event), deps());
    return json(202, started, { location: `/rotations/${started.id}` });
  });
  app.get('/rotations/:id', async (reqCtx) => {
    noQuery(reqCtx.event as ApiEvent);
    return json(200, await getRotation(reqCtx.params.id, deps()));
  });
  app.get('/mesh', async (reqCtx) => {
    noQuery(reqCtx.event as ApiEvent);
    return json(200, await describeMesh(deps()));
  });

  app.get('/activity', async (reqCtx) => {
    const { now, activity } = deps();
    const parsed = parseActivityQuery(query(reqCtx.event as ApiEvent), now());
    return json(200, await listActivity(parsed, { logs: activity?.logs ?? { filterLogEvents: async () => ({ events: [] }) }, logGroups: activity?.logGroups ?? [], now }));
  });

  app.delete('/mesh', async (reqCtx) => {
    const event = reqCtx.event as ApiEvent;
    const started = await startDestroy(readBody(event), query(event), deps());
    return json(202, started, { location: `/mesh/destroys/${started.id}` });
  });
  app.get('/mesh/destroys/:id', async (reqCtx) => {
    noQuery(reqCtx.event as ApiEvent);
    return json(200, await getDestroy(reqCtx.params.id, deps()));
  });

  app.errorHandler(Error, async (error, reqCtx) => {
    const mapped = mapError(error);
    const requestId = (reqCtx.event as ApiEvent).requestContext?.requestId;
    if (mapped.unexpected) logger.error('request failed', { route: reqCtx.route, requestId, error });
    else logger.info('request refused', { route: reqCtx.route, requestId, status: mapped.statusCode, code: mapped.body.error.code });
    return json(mapped.statusCode, mapped.body);
  });
  return app;
}

/**
 * Resolves one event. Nothing escapes as a thrown error (API Gateway would answer a bare 500): an event the router
 * cannot even read becomes the mapped 500, logged. A body on GET is dropped first: API Gateway forwards it, and
 * a fetch `Request` refuses one.
 */
export async function handleApiEvent(app: Router, event: unknown, context: LambdaContext, logger: ApiLogger): Promise<unknown> {
  try {
    const e = event as { requestContext?: { http?: { method?: string } }; body?: unknown; isBase64Encoded?: boolean };
    const method = e.requestContext?.http?.method?.toUpperCase();
    const routed = (method === 'GET' || method === 'HEAD') && e.body !== undefined ? { ...e, body: undefined, isBase64Encoded: false } : event;
    return await app.resolve(routed, context);
  } catch (error) {
    logger.error('event could not be routed', { error });
    const mapped = mapError(error);
    return { statusCode: mapped.statusCode, headers: { 'content-type': 'application/json' }, body: JSON.stringify(mapped.body) };
  }
}

function noQuery(event: ApiEvent): void {
  parseWith(NoQuerySchema, query(event), 'query');
}

function query(event: ApiEvent): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [key, value] of Object.entries(event.queryStringParameters ?? {})) if (value !== undefined) out[key] = value;
  return out;
}

function json(status: number, body: unknown, headers: Record<string, string> = {}): Response {
  return new Response(JSON.stringify(body), { status, headers: { 'content-type': 'application/json', ...headers } });
}
