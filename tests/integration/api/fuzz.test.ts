import fc from 'fast-check';
import { stringify } from 'yaml';
import type { LocalCloud } from '@consul-mesh/local-cloud';
import { ListQuerySchema, StartQuerySchema } from '../../../layers/api/schemas';
import { validateMeshSpec } from '../../../layers/domain/spec/load';
import { RolloutRequestSchema } from '../../../layers/rollout/request';
import { referenceSpec, uploadContexts } from '../deploy/harness';
import { api, asJson, startApiCloud, until, writeCalls, type Json } from './harness';

/**
 * Fuzzing the HTTP API through real HTTP: malformed bodies, wrong types, unknown fields, huge payloads,
 * path-traversal-like ids. Every answer must be a 4xx (never a 5xx: bad input is never the server's fault), and no
 * rejected request may create or change anything in ECS, SSM or Step Functions (counted at the AWS endpoint).
 */
let cloud: LocalCloud;

beforeAll(async () => {
  cloud = await startApiCloud();
  // A deployed spec in Consul KV, so rollout requests get as far as the service lookup (its build contexts
  // uploaded first, as meshctl deploy does).
  await uploadContexts(cloud, referenceSpec());
  const started = await api(cloud, '/deployments?pollSeconds=0&maxRounds=400', asJson(referenceSpec()));
  await until(cloud, '/mesh', () => true, 60_000);
  await until(cloud, `/deployments/${started.body.id}`, (b) => b.stages.find((s: { name: string }) => s.name === 'services')?.state !== 'pending');
  const view = await api(cloud, `/deployments/${started.body.id}`);
  if (view.body.status === 'RUNNING') await api(cloud, `/deployments/${started.body.id}/cancel`, { method: 'POST' });
  await until(cloud, `/deployments/${started.body.id}`);
  await cloud.settle();
}, 120_000);

afterAll(async () => {
  await cloud?.stop();
});

const TRAVERSAL = ['..', '%2e%2e', '..%2f..%2fetc%2fpasswd', '%2F', '%00', '%E0%A4%A', '%', '~root', 'd-20250304050607-k3x9q0%00', 'r-20250304050607-k3x9q0/..', '%252e%252e', '.%2e%2fmesh'];
const CONTENT_TYPES = ['application/json', 'application/yaml', 'application/json; charset=utf-8', 'text/plain', 'application/x-www-form-urlencoded', 'application/octet-stream', ''];

const segment = fc.oneof(fc.constantFrom(...TRAVERSAL), fc.string({ minLength: 1, maxLength: 40 }).map(encodeURIComponent));
const junkValue = fc.oneof(fc.jsonValue({ maxDepth: 2 }), fc.string({ maxLength: 30 }), fc.constant(null), fc.integer(), fc.double());

/** The reference spec with a known key set to a wrong value, or an unknown key added, kept only when invalid. */
const brokenSpec = fc
  .tuple(fc.constantFrom('name', 'consul', 'clusters', 'ingress', 'rollout', 'network', 'intentions', 'unknownField'), junkValue, fc.boolean())
  .map(([key, value, nested]) => {
    const spec = referenceSpec() as Json;
    if (nested && key === 'clusters') spec.clusters[0].services[0].port = value;
    else spec[key] = value;
    return spec;
  })
  .filter((spec) => !validateMeshSpec({ object: spec }).ok);

const body = fc.oneof(
  { weight: 3, arbitrary: brokenSpec.map((s) => JSON.stringify(s)) },
  { weight: 1, arbitrary: brokenSpec.map((s) => stringify(s)) },
  { weight: 2, arbitrary: fc.jsonValue({ maxDepth: 3 }).map((v) => JSON.stringify(v)) },
  { weight: 2, arbitrary: fc.string({ maxLength: 200 }) },
  { weight: 1, arbitrary: fc.constantFrom('{', '[1,2', 'a: [', '- - -', '&a [*a, *a]', '{"__proto__": {"polluted": true}}', '\u0000\u0001', 'null') },
  { weight: 1, arbitrary: fc.integer({ min: 256 * 1024 + 1, max: 600 * 1024 }).map((n) => JSON.stringify({ name: 'reference-mesh', padding: 'x'.repeat(n) })) },
);

const rolloutBody = fc
  .oneof(
    fc.record({ image: junkValue }, { requiredKeys: [] }),
    fc.record({ image: fc.constantFrom('users:latest', 'users', 'USERS:1', 'users:1.0.0'), desiredCount: junkValue, bakeSeconds: junkValue, extra: junkValue }, { requiredKeys: ['image', 'extra'] }),
    fc.record({ build: fc.record({ context: fc.constantFrom('../etc', '/abs', 'docker/services/users'), contentHash: fc.string() }) }),
    fc.jsonValue({ maxDepth: 2 }),
  )
  .filter((b) => !RolloutRequestSchema.safeParse(b).success);

const badQuery = (schema: { safeParse(v: unknown): { success: boolean } }) =>
  fc.dictionary(fc.constantFrom('limit', 'nextToken', 'status', 'mesh', 'pollSeconds', 'maxRounds', 'x'), fc.string({ maxLength: 12 }), { maxKeys: 3 }).filter((q) => !schema.safeParse(q).success);

type Request = { method: string; path: string; body?: string; contentType?: string };

const request: fc.Arbitrary<Request> = fc.oneof(
  fc.tuple(body, fc.constantFrom(...CONTENT_TYPES), fc.option(badQuery(StartQuerySchema), { nil: undefined })).map(([b, contentType, q]) => ({
    method: 'POST',
    path: `/deployments${q ? `?${new URLSearchParams(q)}` : ''}`,
    body: b,
    contentType,
  })),
  badQuery(ListQuerySchema).map((q) => ({ method: 'GET', path: `/deployments?${new URLSearchParams(q)}` })),
  segment.map((id) => ({ method: 'GET', path: `/deployments/${id}` })),
  segment.map((id) => ({ method: 'POST', path: `/deployments/${id}/cancel` })),
  segment.map((id) => ({ method: 'POST', path: `/operations/${id}/cancel` })),
  fc.dictionary(fc.string({ minLength: 1, maxLength: 8 }), fc.string({ maxLength: 8 }), { minKeys: 1, maxKeys: 2 }).map((q) => ({ method: 'GET', path: `/operations?${new URLSearchParams(q)}` })),
  fc.tuple(fc.oneof(segment, fc.constant('users')), rolloutBody, fc.constantFrom(...CONTENT_TYPES)).map(([service, b, contentType]) => ({
    method: 'POST',
    path: `/services/${service}/rollouts`,
    body: JSON.stringify(b),
    contentType,
  })),
  fc.tuple(fc.oneof(segment, fc.constant('users')), segment).map(([service, id]) => ({ method: 'GET', path: `/services/${service}/rollouts/${id}` })),
  fc.dictionary(fc.string({ minLength: 1, maxLength: 8 }), fc.string({ maxLength: 8 }), { minKeys: 1, maxKeys: 2 }).map((q) => ({ method: 'GET', path: `/mesh?${new URLSearchParams(q)}` })),
  fc.tuple(fc.constantFrom('PUT', 'DELETE', 'PATCH'), fc.constantFrom('/deployments', '/services/users/rollouts')).map(([method, path]) => ({ method, path })),
  fc.tuple(fc.constantFrom('PUT', 'PATCH'), fc.constant('/mesh')).map(([method, path]) => ({ method, path })),
  // A teardown that does not name this mesh, or names it badly, starts nothing.
  fc
    .dictionary(fc.constantFrom('mesh', 'purge', 'pollSeconds', 'x'), fc.string({ maxLength: 16 }), { maxKeys: 3 })
    .filter((q) => q.mesh !== 'reference-mesh')
    .map((q) => ({ method: 'DELETE', path: `/mesh${Object.keys(q).length ? `?${new URLSearchParams(q)}` : ''}` })),
  fc.tuple(body, fc.constantFrom(...CONTENT_TYPES)).map(([b, contentType]) => ({ method: 'DELETE', path: '/mesh', body: b, contentType })),
  segment.map((id) => ({ method: 'GET', path: `/mesh/destroys/${id}` })),
);

describe('fuzzing the HTTP API', () => {
  it('answers every malformed request with a 4xx and creates nothing anywhere', async () => {
    cloud.aws.resetCallCounts();
    const seen = new Map<number, number>();
    await fc.assert(
      fc.asyncProperty(request, async (r) => {
        const answer = await api(cloud, r.path, { method: r.method, body: r.body, headers: r.contentType ? { 'content-type': r.contentType } : {} });
        seen.set(answer.status, (seen.get(answer.status) ?? 0) + 1);
        if (answer.status < 400 || answer.status >= 500) throw new Error(`${r.method} ${r.path} answered ${answer.status}: ${JSON.stringify(answer.body).slice(0, 300)}`);
        // A function's answer has the error shape; the gateway's own (404 route, 413 over 10 MB) is {message}.
        if (typeof answer.body === 'object' && answer.body && 'error' in answer.body) expect(answer.body.error).toEqual(expect.objectContaining({ code: expect.any(String), message: expect.any(String) }));
      }),
      { numRuns: 400 },
    );
    expect(writeCalls(cloud.aws.callCounts())).toEqual({});
    // The property reached the functions' own validation, not only the gateway.
    expect([...seen.keys()]).toEqual(expect.arrayContaining([400, 404]));
  }, 120_000);
});
