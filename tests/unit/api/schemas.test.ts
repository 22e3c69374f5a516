import { mapError } from '../../../layers/api/error-mapper';
import { ConcurrentOperationError } from '../../../layers/errors';
import { describeRefusal } from '../../../layers/executions/start-decision';
import { parseWith } from '../../../layers/api/request';
import { ListQuerySchema, StartQuerySchema } from '../../../layers/api/schemas';
import { RolloutRequestSchema } from '../../../layers/rollout/request';

const HASH = 'a'.repeat(64);

/** The 400 a request would get: each invalid field's path. */
function paths(schema: Parameters<typeof parseWith>[0], value: unknown, prefix?: string): string[] {
  try {
    parseWith(schema, value, prefix);
    return [];
  } catch (error) {
    const mapped = mapError(error);
    expect(mapped.statusCode).toBe(400);
    return (mapped.body.error.details ?? []).map((d) => d.path).sort();
  }
}

describe('the rollout request body', () => {
  it('accepts a pinned image or a build context with its content hash, and the optional count and bake', () => {
    expect(RolloutRequestSchema.parse({ image: 'users:1.2.0', desiredCount: 3, bakeSeconds: 0 })).toEqual({ image: 'users:1.2.0', desiredCount: 3, bakeSeconds: 0 });
    expect(RolloutRequestSchema.parse({ build: { context: 'docker/services/users', contentHash: HASH } })).toEqual({
      build: { context: 'docker/services/users', contentHash: HASH, dockerfile: 'Dockerfile' },
    });
  });

  it('names the path of every invalid field', () => {
    expect(paths(RolloutRequestSchema, { image: 'users:latest', desiredCount: -1, colour: 'red' })).toEqual(['colour', 'desiredCount', 'image']);
    expect(paths(RolloutRequestSchema, { build: { context: '../outside', contentHash: 'nope' } })).toEqual(['build.contentHash', 'build.context']);
    expect(paths(RolloutRequestSchema, { desiredCount: 1.5, bakeSeconds: '30' })).toEqual(['bakeSeconds', 'desiredCount']);
  });

  it('refuses both an image and a build, and neither', () => {
    expect(paths(RolloutRequestSchema, { image: 'users:1.0.0', build: { context: 'x', contentHash: HASH } })).toEqual(['(root)']);
    expect(paths(RolloutRequestSchema, {})).toEqual(['(root)']);
    expect(paths(RolloutRequestSchema, null)).toEqual(['(root)']);
  });
});

describe('query strings', () => {
  it('takes whole numbers in range only, and names each bad parameter under query.', () => {
    expect(StartQuerySchema.parse({ pollSeconds: '0', maxRounds: '10' })).toEqual({ pollSeconds: 0, maxRounds: 10 });
    expect(paths(StartQuerySchema, { pollSeconds: '1e3', maxRounds: '0' }, 'query')).toEqual(['query.maxRounds', 'query.pollSeconds']);
    expect(paths(StartQuerySchema, { pollSeconds: ' 5' }, 'query')).toEqual(['query.pollSeconds']);
  });

  it('defaults the page size and refuses unknown parameters', () => {
    expect(ListQuerySchema.parse({})).toEqual({ limit: 20 });
    expect(paths(ListQuerySchema, { limit: '101', status: 'DONE', mesh: '../x', page: '2' }, 'query')).toEqual(['query.limit', 'query.mesh', 'query.page', 'query.status']);
  });
});

describe('the error mapper', () => {
  it('exposes only client errors, each with its status and code', () => {
    const named = (name: string, message = 'm') => Object.assign(new Error(message), { name });
    expect(mapError(named('NotFound')).statusCode).toBe(404);
    expect(mapError(named('ConcurrentOperation')).statusCode).toBe(409);
    expect(mapError(named('PayloadTooLarge')).statusCode).toBe(413);
    expect(mapError(named('UnsupportedMediaType')).statusCode).toBe(415);
    expect(mapError(named('Unauthorized')).statusCode).toBe(401);
    expect(mapError(named('ThrottlingException')).statusCode).toBe(503);
    const internal = mapError(named('AccessDeniedException', 'User arn:aws:iam::123456789012:role/x is not authorized'));
    expect(internal).toEqual({ statusCode: 500, body: { error: { code: 'InternalError', message: 'internal error' } }, unexpected: true });
    expect(mapError('not even an error').statusCode).toBe(500);
  });

  it('keeps how to end the running deployment in the 409 of a second deployment (the answer keeps one line)', () => {
    const running = { id: 'arn:aws:states:us-east-1:000000000000:execution:deploy:shop-ffffffffffff-20250304040000-bbbbbb', name: 'shop-ffffffffffff-20250304040000-bbbbbb', status: 'RUNNING' as const, specHash12: 'ffffffffffff', deploymentId: 'd-20250304040000-bbbbbb' };
    const mapped = mapError(new ConcurrentOperationError(describeRefusal('shop', [running])));
    expect(mapped.statusCode).toBe(409);
    expect(mapped.body.error.message).toContain('running with a different spec: d-20250304040000-bbbbbb');
    expect(mapped.body.error.message).toContain('meshctl status d-20250304040000-bbbbbb --watch');
    expect(mapped.body.error.message).toContain('meshctl cancel d-20250304040000-bbbbbb');
  });
});
