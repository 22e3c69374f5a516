/** Opaque `NextToken`s of SSM, ECR and CodeBuild: the offset of the next item, base64-encoded so callers do not rely on its form. */
import { AwsServiceError } from './protocol';

/**
 * One page of `items` starting at `token` (undefined: the first page).
 * A token that was not produced here is answered with `errorCode` (each service names it differently).
 */
export function page<T>(
  items: T[],
  maxResults: number,
  token: string | undefined,
  errorCode = 'InvalidNextToken',
): { items: T[]; nextToken?: string } {
  let start = 0;
  if (token !== undefined) {
    start = Number(Buffer.from(token, 'base64').toString('utf8'));
    if (!Number.isInteger(start) || start < 0) throw new AwsServiceError(errorCode, 'The specified token is not valid.');
  }
  const end = start + maxResults;
  return {
    items: items.slice(start, end),
    nextToken: end < items.length ? Buffer.from(String(end), 'utf8').toString('base64') : undefined,
  };
}
