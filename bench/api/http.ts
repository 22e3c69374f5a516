/**
 * The HTTP API as a client sees it: real requests over loopback with `fetch`, the bearer token on each.
 */

/** A status code and the parsed JSON body (the text when it is not JSON). */
export type ApiAnswer = { status: number; body: unknown };

/** An answer other than the one the measurement relies on: its figure would time something else. */
export class UnexpectedAnswer extends Error {
  override readonly name = 'UnexpectedAnswer';
}

/** A request body already serialised, so serialising it is not part of what is timed. */
export type JsonBody = { json: string };

export class ApiClient {
  constructor(
    private readonly baseUrl: string,
    private readonly token: string,
  ) {}

  async get(path: string): Promise<ApiAnswer> {
    return this.send('GET', path);
  }

  async post(path: string, body?: JsonBody): Promise<ApiAnswer> {
    return this.send('POST', path, body);
  }

  private async send(method: 'GET' | 'POST', path: string, body?: JsonBody): Promise<ApiAnswer> {
    const headers: Record<string, string> = { authorization: `Bearer ${this.token}` };
    if (body) headers['content-type'] = 'application/json';
    const response = await fetch(`${this.baseUrl}${path}`, { method, headers, body: body?.json });
    // The whole body is read (and parsed) before the request counts as answered, as a real client would.
    return { status: response.status, body: parseBody(await response.text()) };
  }
}

/** Serialises once, up front. */
export function jsonBody(value: unknown): JsonBody {
  return { json: JSON.stringify(value) };
}

/**
 * The body of an answer with the expected status, as an object; otherwise {@link UnexpectedAnswer} naming what was
 * asked and what came back (the API's `{"error": {"code", "message"}}` when there is one).
 *
 * @example
 * const started = expectAnswer(await api.post('/deployments', spec), 202, 'POST /deployments');
 */
export function expectAnswer(answer: ApiAnswer, status: number, what: string): Record<string, unknown> {
  if (answer.status !== status || !isRecord(answer.body)) {
    throw new UnexpectedAnswer(`${what}: expected ${status}, got ${answer.status} ${describeBody(answer.body)}`);
  }
  return answer.body;
}

/** The `error.code` of an API error body, if it is one. */
export function errorCode(body: unknown): string | undefined {
  if (!isRecord(body) || !isRecord(body.error)) return undefined;
  return typeof body.error.code === 'string' ? body.error.code : undefined;
}

/** A string field of an answer body, or {@link UnexpectedAnswer}. */
export function stringField(body: Record<string, unknown>, field: string, what: string): string {
  const value = body[field];
  if (typeof value !== 'string') throw new UnexpectedAnswer(`${what}: the answer has no string "${field}" (${describeBody(body)})`);
  return value;
}

export function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function parseBody(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return text;
  }
}

function describeBody(body: unknown): string {
  const text = typeof body === 'string' ? body : JSON.stringify(body);
  return text.length > 300 ? `${text.slice(0, 300)}…` : text;
}
