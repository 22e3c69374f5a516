import { authorizeRequest, bearerToken, createTokenSource, tokensMatch } from '../../../layers/api/auth';
import { createSsmApi } from '../../../layers/adapters/ssm';
import { fakeClient } from './support';

const TOKEN = 'a-long-enough-token-0123456789';

describe('the bearer token check', () => {
  it('reads only `Bearer <token>` (any case of the scheme), nothing else', () => {
    expect(bearerToken(`Bearer ${TOKEN}`)).toBe(TOKEN);
    expect(bearerToken(`bearer ${TOKEN}`)).toBe(TOKEN);
    for (const header of [undefined, '', TOKEN, `Basic ${TOKEN}`, 'Bearer', 'Bearer ', `Bearer ${TOKEN} extra`]) expect(bearerToken(header)).toBeUndefined();
  });

  it('compares tokens by equal-length digests, so a prefix, a longer token or an empty one never matches', () => {
    expect(tokensMatch(TOKEN, TOKEN)).toBe(true);
    expect(tokensMatch(TOKEN.slice(0, -1), TOKEN)).toBe(false);
    expect(tokensMatch(`${TOKEN}x`, TOKEN)).toBe(false);
    expect(tokensMatch('', '')).toBe(false);
  });

  it('allows the configured token and says why it refuses the rest, never repeating a token', async () => {
    const tokens = createTokenSource({ envToken: TOKEN });
    expect((await authorizeRequest(`Bearer ${TOKEN}`, tokens)).answer).toEqual({ isAuthorized: true, context: { principal: 'mesh-api-token' } });
    const wrong = await authorizeRequest('Bearer not-the-token', tokens);
    expect(wrong).toEqual({ answer: { isAuthorized: false }, reason: 'wrong token' });
    expect(await authorizeRequest(undefined, tokens)).toEqual({ answer: { isAuthorized: false }, reason: 'no bearer token' });
  });

  it('refuses everything when no token is configured anywhere', async () => {
    const ssm = fakeClient(() => {
      throw Object.assign(new Error('missing'), { name: 'ParameterNotFound' });
    });
    const tokens = createTokenSource({ envToken: '', parameterName: '/consul-mesh/m/api-token', ssm: createSsmApi(ssm as never) });
    expect(await authorizeRequest(`Bearer ${TOKEN}`, tokens)).toEqual({ answer: { isAuthorized: false }, reason: 'no API token is configured' });
  });
});

describe('where the token comes from', () => {
  it('reads the SSM SecureString, decrypted, and keeps it for the cache time only', async () => {
    let now = 0;
    let value = TOKEN;
    const ssm = fakeClient(() => ({ Parameter: { Value: value } }));
    const tokens = createTokenSource({ parameterName: '/consul-mesh/m/api-token', ssm: createSsmApi(ssm as never), cacheMs: 1000, now: () => now });
    expect(await tokens.expected()).toBe(TOKEN);
    value = 'rotated-token-0123456789';
    now = 999;
    expect(await tokens.expected()).toBe(TOKEN);
    now = 1001;
    expect(await tokens.expected()).toBe('rotated-token-0123456789');
    expect(ssm.calls).toHaveLength(2);
    expect(ssm.calls[0].input).toEqual({ Name: '/consul-mesh/m/api-token', WithDecryption: true });
  });

  it('prefers the environment (the local cloud) and then never asks SSM', async () => {
    const ssm = fakeClient();
    const tokens = createTokenSource({ envToken: TOKEN, parameterName: '/p', ssm: createSsmApi(ssm as never) });
    expect(await tokens.expected()).toBe(TOKEN);
    expect(ssm.calls).toEqual([]);
  });

  it('lets an SSM failure other than a missing parameter through (the authorizer fails closed)', async () => {
    const ssm = fakeClient(() => {
      throw Object.assign(new Error('rate exceeded'), { name: 'ThrottlingException' });
    });
    const tokens = createTokenSource({ parameterName: '/p', ssm: createSsmApi(ssm as never) });
    await expect(tokens.expected()).rejects.toMatchObject({ name: 'ThrottlingException' });
  });
});
