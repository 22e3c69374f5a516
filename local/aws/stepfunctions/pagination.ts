/**
 * `nextToken`s: opaque to callers, they carry the position after the last item returned, so pages stay correct
 * while new items are added (executions are listed newest first, history events are only appended).
 *
 * A token is only good for the request that produced it: AWS answers `InvalidToken` when a token comes back with
 * another state machine, status filter or order ("a token from a different request"), so each token also carries
 * the request's parameters that select and order the items, and {@link decodeToken} compares them.
 */
import { AwsServiceError } from '../protocol';

/** The request parameters a token is bound to (e.g. `{ stateMachineArn, statusFilter }`). */
export type TokenScope = Readonly<Record<string, string | boolean | undefined>>;

/** A canonical text of a scope: absent members and key order do not matter. */
function scopeKey(scope: TokenScope): string {
  return JSON.stringify(
    Object.keys(scope)
      .filter((key) => scope[key] !== undefined)
      .sort()
      .map((key) => [key, scope[key]]),
  );
}

export function encodeToken(position: number, scope: TokenScope = {}): string {
  return Buffer.from(JSON.stringify({ p: position, s: scopeKey(scope) })).toString('base64');
}

function invalidToken(token: unknown): AwsServiceError {
  return new AwsServiceError('InvalidToken', `Invalid Token: '${String(token)}'`);
}

/** The position a token carries; `InvalidToken` for one not issued here or issued for another request. */
export function decodeToken(token: unknown, scope: TokenScope = {}): number | undefined {
  if (token === undefined || token === null || token === '') return undefined;
  let parsed: { p?: unknown; s?: unknown };
  try {
    parsed = JSON.parse(Buffer.from(String(token), 'base64').toString('utf8')) as { p?: unknown; s?: unknown };
  } catch {
    throw invalidToken(token);
  }
  if (typeof parsed.p !== 'number' || parsed.s !== scopeKey(scope)) throw invalidToken(token);
  return parsed.p;
}

/** `maxResults` (0 to 1000, checked by the schema): 0 or absent means the default page size. */
export function pageSize(maxResults: number | undefined, fallback = 100): number {
  return maxResults === undefined || maxResults === 0 ? fallback : maxResults;
}
