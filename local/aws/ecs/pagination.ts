/**
 * `nextToken`/`maxResults` pagination as the ECS List* operations do it. Tokens are opaque: they carry the key of
 * the last item returned, so a page boundary stays put when items are added or removed in between.
 */
import { invalidParameter } from '../protocol';

interface Cursor {
  after: string;
  index: number;
}

function encode(cursor: Cursor): string {
  return Buffer.from(JSON.stringify(cursor)).toString('base64url');
}

function decode(token: string): Cursor {
  try {
    const cursor = JSON.parse(Buffer.from(token, 'base64url').toString('utf8')) as Partial<Cursor>;
    if (typeof cursor.after === 'string' && typeof cursor.index === 'number') return { after: cursor.after, index: cursor.index };
  } catch {
    // fall through: a token we did not issue
  }
  throw invalidParameter('Invalid nextToken.');
}

export interface Page<T> {
  items: T[];
  nextToken?: string;
}

/**
 * One page of `items` (already in their final order), `keyOf` giving each a unique stable key.
 * `maxResults` (1 to 100, checked by the operation's schema) defaults to `defaultSize`.
 */
export function paginate<T>(items: T[], keyOf: (item: T) => string, options: { nextToken?: string; maxResults?: number; defaultSize: number }): Page<T> {
  const size = options.maxResults ?? options.defaultSize;
  let start = 0;
  if (options.nextToken) {
    const cursor = decode(options.nextToken);
    const position = items.findIndex((item) => keyOf(item) === cursor.after);
    start = position >= 0 ? position + 1 : Math.min(cursor.index, items.length);
  }
  const page = items.slice(start, start + size);
  const end = start + page.length;
  const nextToken = end < items.length && page.length > 0 ? encode({ after: keyOf(page[page.length - 1]), index: end }) : undefined;
  return { items: page, nextToken };
}
