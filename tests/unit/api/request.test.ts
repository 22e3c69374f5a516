import * as z from 'zod/mini';
import { parseWith } from '../../../layers/api/request';
import { ListQuerySchema } from '../../../layers/api/schemas';

// This file loads no classic zod (which sets English messages for the whole process as it loads): the API function
// bundles none either, so only what layers/api/request.ts configures words the messages here, as on Lambda.
describe('request validation messages', () => {
  it('words what a schema leaves unworded in English, as classic zod does, not "Invalid input"', () => {
    const schema = z.strictObject({ count: z.number().check(z.minimum(1)), name: z.string() });
    expect(() => parseWith(schema, { count: 0, name: 7 })).toThrow(
      expect.objectContaining({
        name: 'InvalidInput',
        issues: [
          { path: 'count', message: 'Too small: expected number to be >=1' },
          { path: 'name', message: 'Invalid input: expected string, received number' },
        ],
      }),
    );
  });

  it('keeps the messages the API words itself and names unknown fields', () => {
    expect(() => parseWith(ListQuerySchema, { limit: '0', status: 'DONE', colour: 'red' }, 'query')).toThrow(
      expect.objectContaining({
        issues: expect.arrayContaining([
          { path: 'query.limit', message: 'must be at least 1' },
          { path: 'query.status', message: expect.stringMatching(/^Invalid option: expected one of "RUNNING"\|/) },
          { path: 'query.colour', message: 'unknown field' },
        ]),
      }),
    );
  });
});
