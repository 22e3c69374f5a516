import type { ServerResponse } from 'node:http';
import type { EndpointResponse } from './endpoint';
import type { ConsulHttpError } from './errors';

/** Writing answers the way Consul's HTTP layer does. */

/** Go's `net/http` sniffs plain error texts as this type. */
const TEXT_PLAIN = 'text/plain; charset=utf-8';

export function textBody(message: string): { body: Buffer; headers: Record<string, string> } {
  return { body: Buffer.from(message), headers: { 'Content-Type': TEXT_PLAIN } };
}

/** Query meta of a read, from which clients drive blocking queries and bound staleness. */
export interface QueryMeta {
  readonly knownLeader: boolean;
  readonly consistency: 'leader' | 'stale';
}

/**
 * Write a handler's answer. Reads (responses with an `index`) carry `X-Consul-Index`, `X-Consul-KnownLeader`,
 * `X-Consul-LastContact` and `X-Consul-Effective-Consistency`; `?pretty` indents JSON by four spaces and adds a
 * trailing newline, as Consul does.
 */
export function writeResponse(res: ServerResponse, response: EndpointResponse, meta: QueryMeta, pretty: boolean): void {
  if (response.index !== undefined) {
    res.setHeader('X-Consul-Index', String(response.index));
    res.setHeader('X-Consul-KnownLeader', String(meta.knownLeader));
    // The answering server is (or stands in for) the leader, so it is always up to date.
    res.setHeader('X-Consul-LastContact', '0');
    res.setHeader('X-Consul-Effective-Consistency', meta.consistency);
  }
  // Consul 1.11+ says when ACLs removed results from a list (the answer is otherwise indistinguishable from a short list).
  if (response.filteredByAcls) res.setHeader('X-Consul-Results-Filtered-By-ACLs', 'true');
  let body: Buffer = Buffer.alloc(0);
  if (response.raw) {
    for (const [name, value] of Object.entries(response.raw.headers)) res.setHeader(name, value);
    body = response.raw.body;
  } else if (response.json !== undefined) {
    res.setHeader('Content-Type', 'application/json');
    body = Buffer.from(pretty ? `${JSON.stringify(response.json, null, 4)}\n` : JSON.stringify(response.json));
  }
  res.setHeader('Content-Length', String(body.length));
  res.statusCode = response.status ?? 200;
  res.end(body);
}

/** An error as Consul answers it: the status and a plain-text body. */
export function writeError(res: ServerResponse, err: ConsulHttpError): void {
  for (const [name, value] of Object.entries(err.headers)) res.setHeader(name, value);
  const body = Buffer.from(err.message);
  res.setHeader('Content-Type', TEXT_PLAIN);
  res.setHeader('Content-Length', String(body.length));
  res.statusCode = err.status;
  res.end(body);
}

/** An empty answer: Consul's 404 for unknown paths carries no body at all. */
export function writeEmpty(res: ServerResponse, status: number, headers: Record<string, string> = {}): void {
  for (const [name, value] of Object.entries(headers)) res.setHeader(name, value);
  res.setHeader('Content-Length', '0');
  res.statusCode = status;
  res.end();
}
