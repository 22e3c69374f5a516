/**
 * The parts of an HTTP request API Gateway puts in a Lambda event: headers lower-cased with repeated values
 * joined by commas, the `Cookie` header moved to `cookies`, query parameters decoded (repeated ones joined by
 * commas), and the body as text for text content types or base64 for anything else.
 */
import type { IncomingMessage } from 'node:http';

export interface ApiRequest {
  readonly method: string;
  readonly rawPath: string;
  readonly rawQueryString: string;
  readonly headers: Readonly<Record<string, string>>;
  readonly cookies: readonly string[];
  readonly queryStringParameters: Readonly<Record<string, string>>;
  readonly body: Buffer;
  readonly sourceIp: string;
  readonly protocol: string;
  readonly receivedAt: number;
}

/**
 * Only these reach the function as text; every other content type — including a missing one,
 * `application/x-www-form-urlencoded` and `application/yaml` — arrives base64-encoded with `isBase64Encoded: true`
 * (the split observed on HTTP APIs with payload format 2.0).
 */
export function isTextContentType(contentType: string | undefined): boolean {
  const type = contentType?.split(';')[0].trim().toLowerCase();
  if (!type) return false;
  return type.startsWith('text/') || ['application/json', 'application/xml', 'application/javascript'].includes(type);
}

function parseQuery(rawQueryString: string): Record<string, string> {
  const parameters: Record<string, string> = {};
  for (const [name, value] of new URLSearchParams(rawQueryString)) {
    parameters[name] = name in parameters ? `${parameters[name]},${value}` : value;
  }
  return parameters;
}

/** Reads what API Gateway would forward; `body` is the already-read request body. */
export function toApiRequest(req: IncomingMessage, body: Buffer, receivedAt: number): ApiRequest {
  const url = req.url ?? '/';
  const question = url.indexOf('?');
  const rawPath = question >= 0 ? url.slice(0, question) : url;
  const rawQueryString = question >= 0 ? url.slice(question + 1) : '';
  const headers: Record<string, string> = {};
  const cookies: string[] = [];
  for (let i = 0; i < req.rawHeaders.length; i += 2) {
    const name = req.rawHeaders[i].toLowerCase();
    const value = req.rawHeaders[i + 1];
    if (name === 'cookie') {
      cookies.push(...value.split(';').map((cookie) => cookie.trim()).filter(Boolean));
      continue;
    }
    headers[name] = name in headers ? `${headers[name]},${value}` : value;
  }
  const sourceIp = (req.socket.remoteAddress ?? '127.0.0.1').replace(/^::ffff:/, '');
  // API Gateway adds the forwarding headers of its load balancer.
  headers['x-forwarded-for'] ??= sourceIp;
  headers['x-forwarded-port'] ??= String(req.socket.localPort ?? '');
  headers['x-forwarded-proto'] ??= 'http';
  return {
    method: (req.method ?? 'GET').toUpperCase(),
    rawPath,
    rawQueryString,
    headers,
    cookies,
    queryStringParameters: parseQuery(rawQueryString),
    body,
    sourceIp,
    protocol: `HTTP/${req.httpVersion}`,
    receivedAt,
  };
}
