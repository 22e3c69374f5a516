/**
 * `NextToken`/`Limit` pages of ListRules and ListTargetsByRule. Tokens are opaque: the offset of the next item.
 */
import { validationError } from './validation';

/** A page size when `Limit` is absent: EventBridge's maximum. */
const DEFAULT_LIMIT = 100;

/** Opaque pagination tokens: the offset of the next item. */
export function encodeNextToken(offset: number): string {
  return Buffer.from(JSON.stringify({ offset })).toString('base64url');
}

/** The offset a token points at (0 without a token); an unreadable token is a validation error. */
export function decodeNextToken(token: string | undefined): number {
  if (token === undefined) return 0;
  try {
    const parsed: unknown = JSON.parse(Buffer.from(token, 'base64url').toString('utf8'));
    const offset = typeof parsed === 'object' && parsed !== null ? (parsed as { offset?: unknown }).offset : undefined;
    if (typeof offset === 'number' && Number.isInteger(offset) && offset >= 0) return offset;
  } catch {
    // fall through: AWS answers any unreadable token the same way
  }
  throw validationError('The NextToken provided is invalid.');
}

/** One page of `items` from a request's token (its `Limit` already checked by the schema), with the next token if any. */
export function paginate<T>(items: readonly T[], request: { readonly NextToken?: string; readonly Limit?: number }): { page: T[]; nextToken?: string } {
  const offset = decodeNextToken(request.NextToken);
  const limit = request.Limit ?? DEFAULT_LIMIT;
  const page = items.slice(offset, offset + limit);
  const next = offset + limit;
  return next < items.length ? { page, nextToken: encodeNextToken(next) } : { page };
}
