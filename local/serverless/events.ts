/**
 * A function's `events:` entries in their typed form (the shapes osls accepts for `httpApi`, `eventBridge` and
 * `schedule`; see osls `lib/plugins/aws/package/compile/events/http-api.js`).
 */
import type { z } from 'zod';
import { ServerlessConfigError } from './errors';
import type { FunctionEvent, HttpApiEvent } from './model';
import { describeIssues, eventBridgeEventSchema, httpApiEventSchema, scheduleEventSchema } from './schema';

const asList = (value: string | string[] | undefined): string[] => (value === undefined ? [] : Array.isArray(value) ? value : [value]);

function parseOrThrow<T>(schema: z.ZodType<T>, value: unknown, path: string): T {
  const parsed = schema.safeParse(value);
  if (!parsed.success) throw new ServerlessConfigError(`${path}: ${describeIssues(parsed.error)}`);
  return parsed.data;
}

/** `GET /items/{id}` or `*`, as osls splits the short form. */
function httpApiEvent(value: unknown, path: string): HttpApiEvent {
  const event = parseOrThrow(httpApiEventSchema, value, path);
  let method: string | undefined;
  let routePath: string;
  let authorizer: HttpApiEvent['authorizer'];
  if (typeof event === 'string') {
    if (event.trim() === '*') {
      routePath = '*';
    } else {
      const match = /^(?:\*|([A-Za-z]+))\s+(\/\S*)$/.exec(event.trim());
      if (!match) throw new ServerlessConfigError(`${path}: expected "METHOD /path" or "*", got "${event}"`);
      method = match[1] ?? '*';
      routePath = match[2];
    }
  } else {
    method = event.method;
    routePath = event.path;
    const declared = event.authorizer;
    if (typeof declared === 'string') authorizer = { name: declared, scopes: [] };
    else if (declared?.type === 'aws_iam') authorizer = { type: 'aws_iam' };
    else if (declared?.name) authorizer = { name: declared.name, scopes: asList(declared.scopes) };
    else if (declared) throw new ServerlessConfigError(`${path}.authorizer: expected a "name" (external authorizer ids are not supported locally)`);
  }
  if (routePath === '*') {
    if (method && method !== '*') throw new ServerlessConfigError(`${path}: the catch-all path "*" takes no method`);
    return { type: 'httpApi', method: 'ANY', path: '*', routeKey: '$default', authorizer };
  }
  if (!method) throw new ServerlessConfigError(`${path}: missing "method"`);
  const upper = method === '*' ? 'ANY' : method.toUpperCase();
  if (!['GET', 'POST', 'PUT', 'PATCH', 'DELETE', 'HEAD', 'OPTIONS', 'ANY'].includes(upper)) {
    throw new ServerlessConfigError(`${path}: "${method}" is not an HTTP method API Gateway routes`);
  }
  if (!routePath.startsWith('/')) throw new ServerlessConfigError(`${path}: the path must start with "/"`);
  return { type: 'httpApi', method: upper, path: routePath, routeKey: `${upper} ${routePath}`, authorizer };
}

/** One typed event per entry of `events:`; `path` names the entry in errors (`functions.work.events[0]`). */
export function parseFunctionEvent(entry: Record<string, unknown>, path: string): FunctionEvent {
  const [name, value] = Object.entries(entry)[0] ?? ['', undefined];
  switch (name) {
    case 'httpApi':
      return httpApiEvent(value, `${path}.httpApi`);
    case 'eventBridge': {
      const event = parseOrThrow(eventBridgeEventSchema, value, `${path}.eventBridge`);
      if (!event.pattern && !event.schedule) throw new ServerlessConfigError(`${path}.eventBridge: needs "pattern" or "schedule"`);
      return { ...event, type: 'eventBridge', enabled: event.enabled ?? true };
    }
    case 'schedule': {
      const event = parseOrThrow(scheduleEventSchema, value, `${path}.schedule`);
      if (typeof event === 'string') return { type: 'schedule', rate: [event], enabled: true };
      return { ...event, type: 'schedule', rate: asList(event.rate), enabled: event.enabled ?? true };
    }
    default:
      return { type: 'other', name, raw: value };
  }
}
