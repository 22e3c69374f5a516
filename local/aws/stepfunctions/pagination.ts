/**
 * `nextToken`s: opaque to callers, they carry the position after the last item returned, so pages stay correct
 * while new items are added (executions are listed newest first, history events are only appended).
 */
import { AwsServiceError } from '../protocol';

export function encodeToken(position: number): string {
  return Buffer.from(JSON.stringify({ p: position })).toString('base64');
}

export function decodeToken(token: unknown): number | undefined {
  if (token === undefined || token === null || token === '') return undefined;
  try {
    const parsed = JSON.parse(Buffer.from(String(token), 'base64').toString('utf8')) as { p?: unknown };
    if (typeof parsed.p === 'number') return parsed.p;
  } catch {
    // fall through to the error AWS gives for a token it did not issue
  }
  throw new AwsServiceError('InvalidToken', `Invalid Token: '${String(token)}'`);
}

/** `maxResults`: 0 or absent means the default page size; AWS allows at most 1000. */
export function pageSize(maxResults: unknown, fallback = 100): number {
  if (maxResults === undefined || maxResults === null || maxResults === 0) return fallback;
  if (typeof maxResults !== 'number' || !Number.isInteger(maxResults) || maxResults < 0 || maxResults > 1000) {
    throw new AwsServiceError(
      'ValidationException',
      `1 validation error detected: Value '${String(maxResults)}' at 'maxResults' failed to satisfy constraint: Member must have value less than or equal to 1000`,
    );
  }
  return maxResults;
}
