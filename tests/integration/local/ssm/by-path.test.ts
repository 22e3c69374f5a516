import { DescribeParametersCommand, GetParametersByPathCommand, LabelParameterVersionCommand, PutParameterCommand, SSMClient } from '@aws-sdk/client-ssm';
import { SsmProvider } from '../../../../local/aws/ssm/provider';
import { errorName } from '../support/errors';

/** The error an SDK call failed with: its code and message. */
async function failure(promise: Promise<unknown>): Promise<{ name: string; message: string }> {
  try {
    await promise;
  } catch (error) {
    return { name: (error as Error).name, message: (error as Error).message };
  }
  throw new Error('the call succeeded');
}
import { clientConfig, startTestEndpoint, type TestEndpoint } from '../support/test-endpoint';

let endpoint: TestEndpoint;
let ssm: SSMClient;

beforeAll(async () => {
  endpoint = await startTestEndpoint([new SsmProvider()]);
  ssm = new SSMClient(clientConfig(endpoint));
  const put = (Name: string, Value: string, Type: 'String' | 'SecureString' = 'String') =>
    ssm.send(new PutParameterCommand({ Name, Value, Type }));
  await put('/mesh/consul/datacenter', 'dc1');
  await put('/mesh/consul/gossip-key', 'gossip', 'SecureString');
  await put('/mesh/consul/tls/ca', 'ca-pem');
  await put('/mesh/users/port', '8080');
  await put('/other/x', 'x');
  await put('top', 'no-hierarchy');
  for (let i = 0; i < 12; i++) await put(`/paged/p${String(i).padStart(2, '0')}`, `${i}`);
});

afterAll(async () => {
  ssm.destroy();
  await endpoint.close();
});

async function namesUnder(path: string, recursive: boolean): Promise<string[]> {
  const result = await ssm.send(new GetParametersByPathCommand({ Path: path, Recursive: recursive }));
  return (result.Parameters ?? []).map((p) => p.Name!);
}

describe('GetParametersByPath', () => {
  it('returns only the direct children without Recursive', async () => {
    expect(await namesUnder('/mesh/consul', false)).toEqual(['/mesh/consul/datacenter', '/mesh/consul/gossip-key']);
  });

  it('returns the whole subtree with Recursive, with or without a trailing slash', async () => {
    const expected = ['/mesh/consul/datacenter', '/mesh/consul/gossip-key', '/mesh/consul/tls/ca', '/mesh/users/port'];
    expect(await namesUnder('/mesh', true)).toEqual(expected);
    expect(await namesUnder('/mesh/', true)).toEqual(expected);
  });

  it('lists names of one level (stored without a slash) directly under /, as AWS does', async () => {
    expect(await namesUnder('/', false)).toEqual(['top']);
    expect(await namesUnder('/mesh', true)).not.toContain('top');
  });

  it('decrypts SecureString values only with WithDecryption', async () => {
    const hidden = await ssm.send(new GetParametersByPathCommand({ Path: '/mesh/consul' }));
    const shown = await ssm.send(new GetParametersByPathCommand({ Path: '/mesh/consul', WithDecryption: true }));
    const valueOf = (r: typeof hidden) => r.Parameters?.find((p) => p.Name === '/mesh/consul/gossip-key')?.Value;
    expect(valueOf(hidden)).not.toBe('gossip');
    expect(valueOf(shown)).toBe('gossip');
  });

  it('pages with MaxResults and NextToken (at most 10 per page)', async () => {
    const first = await ssm.send(new GetParametersByPathCommand({ Path: '/paged' }));
    expect(first.Parameters).toHaveLength(10);
    expect(first.NextToken).toBeDefined();
    const second = await ssm.send(new GetParametersByPathCommand({ Path: '/paged', NextToken: first.NextToken }));
    expect(second.Parameters?.map((p) => p.Name)).toEqual(['/paged/p10', '/paged/p11']);
    expect(second.NextToken).toBeUndefined();
    expect(await errorName(ssm.send(new GetParametersByPathCommand({ Path: '/paged', MaxResults: 11 })))).toBe(
      'ValidationException',
    );
  });

  it('filters by Type and by Label, rejecting keys GetParametersByPath does not support', async () => {
    const secure = await ssm.send(
      new GetParametersByPathCommand({
        Path: '/mesh',
        Recursive: true,
        ParameterFilters: [{ Key: 'Type', Values: ['SecureString'] }],
      }),
    );
    expect(secure.Parameters?.map((p) => p.Name)).toEqual(['/mesh/consul/gossip-key']);

    await ssm.send(new PutParameterCommand({ Name: '/mesh/users/port', Value: '9090', Overwrite: true }));
    await ssm.send(new LabelParameterVersionCommand({ Name: '/mesh/users/port', ParameterVersion: 1, Labels: ['stable'] }));
    const labelled = await ssm.send(
      new GetParametersByPathCommand({ Path: '/mesh', Recursive: true, ParameterFilters: [{ Key: 'Label', Values: ['stable'] }] }),
    );
    expect(labelled.Parameters?.map((p) => [p.Name, p.Value, p.Version])).toEqual([['/mesh/users/port', '8080', 1]]);

    expect(
      await errorName(
        ssm.send(new GetParametersByPathCommand({ Path: '/mesh', ParameterFilters: [{ Key: 'Name', Values: ['x'] }] })),
      ),
    ).toBe('InvalidFilterKey');
  });

  it('rejects a path that does not start with a slash', async () => {
    expect(await errorName(ssm.send(new GetParametersByPathCommand({ Path: 'mesh' })))).toBe('ValidationException');
  });

  it('answers a bad path with the naming rules AWS quotes, and bad characters or empty levels alike', async () => {
    for (const Path of ['mesh', '/mesh//consul', '/me sh']) {
      const error = await failure(ssm.send(new GetParametersByPathCommand({ Path })));
      expect(error.name).toBe('ValidationException');
      expect(error.message).toMatch(/^The parameter doesn't meet the parameter name requirements\. The parameter name must begin with a forward slash "\/"/);
    }
  });

  it('refuses tag, DataType, Tier and Path filters, which GetParametersByPath does not support', async () => {
    for (const Key of ['tag:team', 'DataType', 'Tier', 'Path']) {
      const error = await failure(ssm.send(new GetParametersByPathCommand({ Path: '/mesh', ParameterFilters: [{ Key, Values: ['x'] }] })));
      expect(error).toEqual({ name: 'InvalidFilterKey', message: `The following filter key is not valid: ${Key}. Valid filter keys include: [Type, KeyId, Label].` });
    }
  });

  it('checks the filter key against the model pattern first, worded as AWS request validation', async () => {
    const error = await failure(ssm.send(new GetParametersByPathCommand({ Path: '/mesh', ParameterFilters: [{ Key: 'Colour', Values: ['x'] }] })));
    expect(error).toEqual({
      name: 'ValidationException',
      message:
        "1 validation error detected: Value 'Colour' at 'parameterFilters.1.member.key' failed to satisfy constraint: " +
        'Member must satisfy regular expression pattern: tag:.+|Name|Type|KeyId|Path|Label|Tier|DataType',
    });
  });

  it('refuses a Type filter value that is not a parameter type', async () => {
    const error = await failure(
      ssm.send(new GetParametersByPathCommand({ Path: '/mesh', ParameterFilters: [{ Key: 'Type', Values: ['Secret'] }] })),
    );
    expect(error.name).toBe('InvalidFilterValue');
  });
});

describe('DescribeParameters', () => {
  it('pages by 10 by default and by up to 50 with MaxResults, as AWS does', async () => {
    const first = await ssm.send(new DescribeParametersCommand({}));
    expect(first.Parameters).toHaveLength(10);
    expect(first.NextToken).toBeDefined();
    const large = await ssm.send(new DescribeParametersCommand({ MaxResults: 50 }));
    expect(large.Parameters!.length).toBeGreaterThan(10);
    expect(await errorName(ssm.send(new DescribeParametersCommand({ MaxResults: 51 })))).toBe('ValidationException');
  });

  it('reads the deprecated Filters, but not together with ParameterFilters', async () => {
    const legacy = await ssm.send(new DescribeParametersCommand({ Filters: [{ Key: 'Name', Values: ['/mesh/consul/'] }] }));
    expect(legacy.Parameters?.map((p) => p.Name)).toEqual(['/mesh/consul/datacenter', '/mesh/consul/gossip-key', '/mesh/consul/tls/ca']);
    const secure = await ssm.send(new DescribeParametersCommand({ Filters: [{ Key: 'Type', Values: ['SecureString'] }] }));
    expect(secure.Parameters?.map((p) => p.Name)).toEqual(['/mesh/consul/gossip-key']);
    const both = await failure(
      ssm.send(new DescribeParametersCommand({ Filters: [{ Key: 'Type', Values: ['String'] }], ParameterFilters: [{ Key: 'Type', Values: ['String'] }] })),
    );
    expect(both).toEqual({ name: 'ValidationException', message: 'You can use either Filters or ParameterFilters in a single request.' });
  });

  it('refuses a Label filter and bad Path filter values', async () => {
    expect(await errorName(ssm.send(new DescribeParametersCommand({ ParameterFilters: [{ Key: 'Label', Values: ['x'] }] })))).toBe(
      'InvalidFilterKey',
    );
    for (const value of ['mesh', '/mesh//consul']) {
      const error = await failure(ssm.send(new DescribeParametersCommand({ ParameterFilters: [{ Key: 'Path', Values: [value] }] })));
      expect(error.name).toBe('ValidationException');
    }
    expect(await errorName(ssm.send(new DescribeParametersCommand({ ParameterFilters: [{ Key: 'Tier', Values: ['Premium'] }] })))).toBe(
      'InvalidFilterValue',
    );
  });

  it('finds a one-level name by Name with or without its leading slash, and under Path /', async () => {
    const byName = async (value: string) =>
      (await ssm.send(new DescribeParametersCommand({ ParameterFilters: [{ Key: 'Name', Values: [value] }] }))).Parameters?.map((p) => p.Name);
    expect(await byName('top')).toEqual(['top']);
    expect(await byName('/top')).toEqual(['top']);
    const underRoot = await ssm.send(new DescribeParametersCommand({ ParameterFilters: [{ Key: 'Path', Values: ['/'] }] }));
    expect(underRoot.Parameters?.map((p) => p.Name)).toEqual(['top']);
  });

  it('lists metadata without values, filtered by Path', async () => {
    const result = await ssm.send(
      new DescribeParametersCommand({ ParameterFilters: [{ Key: 'Path', Option: 'Recursive', Values: ['/mesh/consul'] }] }),
    );
    expect(result.Parameters?.map((p) => p.Name)).toEqual([
      '/mesh/consul/datacenter',
      '/mesh/consul/gossip-key',
      '/mesh/consul/tls/ca',
    ]);
    expect(result.Parameters?.[1]).toMatchObject({ Type: 'SecureString', KeyId: 'alias/aws/ssm', Tier: 'Standard' });
    expect(result.Parameters?.[0]).not.toHaveProperty('Value');
  });
});
