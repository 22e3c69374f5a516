/**
 * API Gateway's mapping of a function's result to the HTTP response, payload format 2.0:
 * - a result with a `statusCode` is a response: `headers`, `cookies` (each one a `Set-Cookie`), `body`, and
 *   `isBase64Encoded` (the body is decoded before it is sent);
 * - any other valid JSON result is the body of a 200 `application/json` response (a string as it is, anything
 *   else as JSON).
 * A result that cannot be mapped is API Gateway's 500 `{"message":"Internal Server Error"}`.
 */

export interface HttpResponse {
  readonly statusCode: number;
  readonly headers: Readonly<Record<string, string>>;
  readonly cookies: readonly string[];
  readonly body: Buffer;
}

/** The answers API Gateway itself gives, with its JSON body. */
export function gatewayResponse(statusCode: number, message: string): HttpResponse {
  return { statusCode, headers: { 'content-type': 'application/json' }, cookies: [], body: Buffer.from(JSON.stringify({ message })) };
}

export const GATEWAY = {
  notFound: () => gatewayResponse(404, 'Not Found'),
  unauthorized: () => gatewayResponse(401, 'Unauthorized'),
  forbidden: () => gatewayResponse(403, 'Forbidden'),
  tooLarge: () => gatewayResponse(413, 'Request Entity Too Large'),
  internalError: () => gatewayResponse(500, 'Internal Server Error'),
  unavailable: () => gatewayResponse(503, 'Service Unavailable'),
};

export class MalformedResponseError extends Error {
  override readonly name = 'MalformedLambdaProxyResponse';
}

const isRecord = (value: unknown): value is Record<string, unknown> => value !== null && typeof value === 'object' && !Array.isArray(value);

/** Maps a function's result; throws `MalformedResponseError` for one API Gateway would reject. */
export function mapLambdaResult(result: unknown): HttpResponse {
  if (!isRecord(result) || !('statusCode' in result)) {
    const body = typeof result === 'string' ? result : JSON.stringify(result);
    return { statusCode: 200, headers: { 'content-type': 'application/json' }, cookies: [], body: Buffer.from(body) };
  }
  const statusCode = Number(result.statusCode);
  if (!Number.isInteger(statusCode) || statusCode < 100 || statusCode > 599) throw new MalformedResponseError(`statusCode ${String(result.statusCode)} is not an HTTP status`);
  const headers: Record<string, string> = {};
  if (result.headers !== undefined) {
    if (!isRecord(result.headers)) throw new MalformedResponseError('headers must be an object');
    for (const [name, value] of Object.entries(result.headers)) headers[name.toLowerCase()] = String(value);
  }
  headers['content-type'] ??= 'application/json';
  const cookies = result.cookies === undefined ? [] : result.cookies;
  if (!Array.isArray(cookies) || cookies.some((cookie) => typeof cookie !== 'string')) throw new MalformedResponseError('cookies must be an array of strings');
  const rawBody = result.body === undefined || result.body === null ? '' : typeof result.body === 'string' ? result.body : JSON.stringify(result.body);
  const body = result.isBase64Encoded === true ? Buffer.from(rawBody, 'base64') : Buffer.from(rawBody);
  return { statusCode, headers, cookies: cookies as string[], body };
}
