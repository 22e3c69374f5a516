import {
  DeleteParameterCommand,
  DeleteParametersCommand,
  GetParameterCommand,
  GetParametersCommand,
  ListTagsForResourceCommand,
  PutParameterCommand,
  SSMClient,
} from '@aws-sdk/client-ssm';
import { SsmProvider } from '../../../../local/aws/ssm/provider';
import { errorName } from '../support/errors';
import { clientConfig, startTestEndpoint, type TestEndpoint } from '../support/test-endpoint';

let endpoint: TestEndpoint;
let ssm: SSMClient;

beforeAll(async () => {
  endpoint = await startTestEndpoint([new SsmProvider()]);
  ssm = new SSMClient(clientConfig(endpoint));
});

afterAll(async () => {
  ssm.destroy();
  await endpoint.close();
});

describe('PutParameter and GetParameter', () => {
  it('stores a String and returns it with version, ARN, data type and an epoch-seconds date', async () => {
    const before = Date.now();
    const put = await ssm.send(new PutParameterCommand({ Name: '/mesh/dc', Value: 'dc1', Type: 'String' }));
    expect(put).toMatchObject({ Version: 1, Tier: 'Standard' });

    const { Parameter } = await ssm.send(new GetParameterCommand({ Name: '/mesh/dc' }));
    expect(Parameter).toMatchObject({
      Name: '/mesh/dc',
      Type: 'String',
      Value: 'dc1',
      Version: 1,
      DataType: 'text',
      ARN: 'arn:aws:ssm:us-east-1:000000000000:parameter/mesh/dc',
    });
    expect(Parameter?.LastModifiedDate).toBeInstanceOf(Date);
    expect(Parameter!.LastModifiedDate!.getTime()).toBeGreaterThanOrEqual(before - 1000);
  });

  it('refuses to replace an existing name without Overwrite (ParameterAlreadyExists)', async () => {
    await ssm.send(new PutParameterCommand({ Name: '/mesh/once', Value: 'a', Type: 'String' }));
    expect(await errorName(ssm.send(new PutParameterCommand({ Name: '/mesh/once', Value: 'b', Type: 'String' })))).toBe(
      'ParameterAlreadyExists',
    );
    const put = await ssm.send(new PutParameterCommand({ Name: '/mesh/once', Value: 'b', Overwrite: true }));
    expect(put.Version).toBe(2);
    const { Parameter } = await ssm.send(new GetParameterCommand({ Name: '/mesh/once' }));
    expect(Parameter).toMatchObject({ Value: 'b', Version: 2, Type: 'String' });
  });

  it('requires a Type for a new parameter', async () => {
    expect(await errorName(ssm.send(new PutParameterCommand({ Name: '/mesh/untyped', Value: 'x' })))).toBe(
      'ValidationException',
    );
  });

  it('returns SecureString values as ciphertext unless WithDecryption is true', async () => {
    await ssm.send(new PutParameterCommand({ Name: '/mesh/gossip-key', Value: 's3cr3t-gossip', Type: 'SecureString' }));
    const hidden = await ssm.send(new GetParameterCommand({ Name: '/mesh/gossip-key' }));
    expect(hidden.Parameter?.Type).toBe('SecureString');
    expect(hidden.Parameter?.Value).not.toContain('s3cr3t-gossip');
    expect(hidden.Parameter?.Value).toMatch(/^[A-Za-z0-9+/]+=*$/);
    const shown = await ssm.send(new GetParameterCommand({ Name: '/mesh/gossip-key', WithDecryption: true }));
    expect(shown.Parameter?.Value).toBe('s3cr3t-gossip');
  });

  it('uses alias/aws/ssm as the default key and rejects KeyId on a String', async () => {
    expect(
      await errorName(ssm.send(new PutParameterCommand({ Name: '/mesh/k', Value: 'x', Type: 'String', KeyId: 'alias/mine' }))),
    ).toBe('ValidationException');
    expect(
      await errorName(
        ssm.send(new PutParameterCommand({ Name: '/mesh/k', Value: 'x', Type: 'SecureString', KeyId: 'not a key' })),
      ),
    ).toBe('InvalidKeyId');
    await ssm.send(new PutParameterCommand({ Name: '/mesh/k', Value: 'x', Type: 'SecureString', KeyId: 'alias/mesh' }));
    const { Parameter } = await ssm.send(new GetParameterCommand({ Name: '/mesh/k', WithDecryption: true }));
    expect(Parameter?.Value).toBe('x');
  });

  it('keeps StringList values as the comma-separated string', async () => {
    await ssm.send(new PutParameterCommand({ Name: '/mesh/services', Value: 'users,todos', Type: 'StringList' }));
    const { Parameter } = await ssm.send(new GetParameterCommand({ Name: '/mesh/services' }));
    expect(Parameter).toMatchObject({ Type: 'StringList', Value: 'users,todos' });
  });

  it('answers ParameterNotFound and ParameterVersionNotFound', async () => {
    expect(await errorName(ssm.send(new GetParameterCommand({ Name: '/mesh/missing' })))).toBe('ParameterNotFound');
    await ssm.send(new PutParameterCommand({ Name: '/mesh/v', Value: 'one', Type: 'String' }));
    expect(await errorName(ssm.send(new GetParameterCommand({ Name: '/mesh/v:7' })))).toBe('ParameterVersionNotFound');
  });

  it('selects a version with name:version and echoes the Selector', async () => {
    await ssm.send(new PutParameterCommand({ Name: '/mesh/sel', Value: 'one', Type: 'String' }));
    await ssm.send(new PutParameterCommand({ Name: '/mesh/sel', Value: 'two', Overwrite: true }));
    const { Parameter } = await ssm.send(new GetParameterCommand({ Name: '/mesh/sel:1' }));
    expect(Parameter).toMatchObject({ Name: '/mesh/sel', Value: 'one', Version: 1, Selector: ':1' });
  });

  it('stores Tags given at creation and refuses Tags together with Overwrite', async () => {
    await ssm.send(
      new PutParameterCommand({ Name: '/mesh/tagged', Value: 'x', Type: 'String', Tags: [{ Key: 'team', Value: 'mesh' }] }),
    );
    const tags = await ssm.send(new ListTagsForResourceCommand({ ResourceType: 'Parameter', ResourceId: '/mesh/tagged' }));
    expect(tags.TagList).toEqual([{ Key: 'team', Value: 'mesh' }]);
    expect(
      await errorName(
        ssm.send(
          new PutParameterCommand({ Name: '/mesh/tagged', Value: 'y', Overwrite: true, Tags: [{ Key: 'a', Value: 'b' }] }),
        ),
      ),
    ).toBe('ValidationException');
  });

  it('enforces AllowedPattern on the value', async () => {
    expect(
      await errorName(
        ssm.send(new PutParameterCommand({ Name: '/mesh/port', Value: 'eighty', Type: 'String', AllowedPattern: '^\\d+$' })),
      ),
    ).toBe('ParameterPatternMismatchException');
    await ssm.send(new PutParameterCommand({ Name: '/mesh/port', Value: '80', Type: 'String', AllowedPattern: '^\\d+$' }));
    // The pattern stays with the parameter for later versions.
    expect(
      await errorName(ssm.send(new PutParameterCommand({ Name: '/mesh/port', Value: 'x', Overwrite: true }))),
    ).toBe('ParameterPatternMismatchException');
  });

  it('keeps parameters apart per region', async () => {
    const west = new SSMClient(clientConfig(endpoint, 'eu-west-1'));
    try {
      await west.send(new PutParameterCommand({ Name: '/mesh/regional', Value: 'west', Type: 'String' }));
      expect(await errorName(ssm.send(new GetParameterCommand({ Name: '/mesh/regional' })))).toBe('ParameterNotFound');
      const { Parameter } = await west.send(new GetParameterCommand({ Name: '/mesh/regional' }));
      expect(Parameter?.ARN).toBe('arn:aws:ssm:eu-west-1:000000000000:parameter/mesh/regional');
    } finally {
      west.destroy();
    }
  });
});

describe('parameter names', () => {
  it.each([
    ['/bad name', 'ValidationException'],
    ['/semi;colon', 'ValidationException'],
    ['relative/path', 'ValidationException'],
    ['/double//slash', 'ValidationException'],
    ['/aws/reserved', 'ValidationException'],
    ['ssm-reserved', 'ValidationException'],
  ])('rejects %s with %s', async (name, code) => {
    expect(await errorName(ssm.send(new PutParameterCommand({ Name: name, Value: 'x', Type: 'String' })))).toBe(code);
  });

  it('accepts 15 hierarchy levels and rejects 16 (HierarchyLevelLimitExceededException)', async () => {
    const levels = (n: number) => '/' + Array.from({ length: n }, (_, i) => `l${i}`).join('/');
    await ssm.send(new PutParameterCommand({ Name: levels(15), Value: 'x', Type: 'String' }));
    expect(await errorName(ssm.send(new PutParameterCommand({ Name: levels(16), Value: 'x', Type: 'String' })))).toBe(
      'HierarchyLevelLimitExceededException',
    );
  });

  it('treats name and /name as one parameter, stored and returned without the slash', async () => {
    await ssm.send(new PutParameterCommand({ Name: '/single-level', Value: 'one', Type: 'String' }));
    expect(await errorName(ssm.send(new PutParameterCommand({ Name: 'single-level', Value: 'two', Type: 'String' })))).toBe(
      'ParameterAlreadyExists',
    );
    await ssm.send(new PutParameterCommand({ Name: 'single-level', Value: 'two', Overwrite: true }));
    const withSlash = await ssm.send(new GetParameterCommand({ Name: '/single-level' }));
    const without = await ssm.send(new GetParameterCommand({ Name: 'single-level' }));
    expect(withSlash.Parameter).toMatchObject({ Name: 'single-level', Value: 'two', Version: 2 });
    expect(without.Parameter).toEqual(withSlash.Parameter);
    await ssm.send(new DeleteParameterCommand({ Name: '/single-level' }));
    expect(await errorName(ssm.send(new GetParameterCommand({ Name: 'single-level' })))).toBe('ParameterNotFound');
  });

  it('reads a parameter by its full ARN, with a selector too, in GetParameter and GetParameters', async () => {
    await ssm.send(new PutParameterCommand({ Name: '/by-arn/x', Value: 'v1', Type: 'String' }));
    await ssm.send(new PutParameterCommand({ Name: 'by-arn-single', Value: 's', Type: 'String' }));
    const arn = 'arn:aws:ssm:us-east-1:000000000000:parameter/by-arn/x';
    const { Parameter } = await ssm.send(new GetParameterCommand({ Name: arn }));
    expect(Parameter).toMatchObject({ Name: '/by-arn/x', Value: 'v1', ARN: arn });
    expect((await ssm.send(new GetParameterCommand({ Name: `${arn}:1` }))).Parameter).toMatchObject({ Value: 'v1', Selector: ':1' });
    const many = await ssm.send(
      new GetParametersCommand({ Names: [arn, 'arn:aws:ssm:us-east-1:000000000000:parameter/by-arn-single', 'arn:aws:ssm:us-east-1:111111111111:parameter/by-arn/x'] }),
    );
    expect(many.Parameters?.map((p) => p.Name)).toEqual(['/by-arn/x', 'by-arn-single']);
    expect(many.InvalidParameters).toEqual(['arn:aws:ssm:us-east-1:111111111111:parameter/by-arn/x']);
  });

  it('words request validation as AWS does', async () => {
    const long = `/${'n'.repeat(2048)}`;
    try {
      await ssm.send(new GetParameterCommand({ Name: long }));
      throw new Error('the call succeeded');
    } catch (error) {
      expect((error as Error).name).toBe('ValidationException');
      expect((error as Error).message).toBe(
        `1 validation error detected: Value '${long}' at 'name' failed to satisfy constraint: Member must have length less than or equal to 2048`,
      );
    }
  });

  it('accepts a name without hierarchy and builds its ARN', async () => {
    await ssm.send(new PutParameterCommand({ Name: 'plain-name_1.x', Value: 'x', Type: 'String' }));
    const { Parameter } = await ssm.send(new GetParameterCommand({ Name: 'plain-name_1.x' }));
    expect(Parameter?.ARN).toBe('arn:aws:ssm:us-east-1:000000000000:parameter/plain-name_1.x');
  });
});

describe('tiers and value sizes', () => {
  const big = 'x'.repeat(4097);

  it('rejects a Standard value over 4096 bytes with ValidationException', async () => {
    expect(await errorName(ssm.send(new PutParameterCommand({ Name: '/tier/std', Value: big, Type: 'String' })))).toBe(
      'ValidationException',
    );
    await ssm.send(new PutParameterCommand({ Name: '/tier/std', Value: 'x'.repeat(4096), Type: 'String' }));
  });

  it('counts bytes, not characters', async () => {
    // 2049 two-byte characters = 4098 bytes.
    expect(
      await errorName(ssm.send(new PutParameterCommand({ Name: '/tier/utf8', Value: 'é'.repeat(2049), Type: 'String' }))),
    ).toBe('ValidationException');
  });

  it('stores up to 8192 bytes in the Advanced tier and no more', async () => {
    const put = await ssm.send(new PutParameterCommand({ Name: '/tier/adv', Value: big, Type: 'String', Tier: 'Advanced' }));
    expect(put.Tier).toBe('Advanced');
    expect(
      await errorName(
        ssm.send(new PutParameterCommand({ Name: '/tier/adv2', Value: 'x'.repeat(8193), Type: 'String', Tier: 'Advanced' })),
      ),
    ).toBe('ValidationException');
  });

  it('Intelligent-Tiering picks Standard when the value fits, Advanced otherwise', async () => {
    const small = await ssm.send(
      new PutParameterCommand({ Name: '/tier/it-small', Value: 'x', Type: 'String', Tier: 'Intelligent-Tiering' }),
    );
    expect(small.Tier).toBe('Standard');
    const large = await ssm.send(
      new PutParameterCommand({ Name: '/tier/it-large', Value: big, Type: 'String', Tier: 'Intelligent-Tiering' }),
    );
    expect(large.Tier).toBe('Advanced');
  });

  it('never downgrades an Advanced parameter to Standard', async () => {
    await ssm.send(new PutParameterCommand({ Name: '/tier/sticky', Value: 'x', Type: 'String', Tier: 'Advanced' }));
    expect(
      await errorName(
        ssm.send(new PutParameterCommand({ Name: '/tier/sticky', Value: 'y', Overwrite: true, Tier: 'Standard' })),
      ),
    ).toBe('ValidationException');
    const put = await ssm.send(new PutParameterCommand({ Name: '/tier/sticky', Value: 'y', Overwrite: true }));
    expect(put.Tier).toBe('Advanced');
  });
});

describe('GetParameters, DeleteParameter, DeleteParameters', () => {
  it('returns found parameters and lists the others in InvalidParameters', async () => {
    await ssm.send(new PutParameterCommand({ Name: '/many/a', Value: 'A', Type: 'String' }));
    await ssm.send(new PutParameterCommand({ Name: '/many/b', Value: 'B', Type: 'SecureString' }));
    const result = await ssm.send(
      new GetParametersCommand({ Names: ['/many/a', '/many/b', '/many/none', '/many/a:9'], WithDecryption: true }),
    );
    expect(result.Parameters?.map((p) => [p.Name, p.Value])).toEqual([
      ['/many/a', 'A'],
      ['/many/b', 'B'],
    ]);
    expect(result.InvalidParameters).toEqual(['/many/none', '/many/a:9']);
  });

  it('accepts at most 10 names', async () => {
    const names = Array.from({ length: 11 }, (_, i) => `/many/n${i}`);
    expect(await errorName(ssm.send(new GetParametersCommand({ Names: names })))).toBe('ValidationException');
    expect(await errorName(ssm.send(new DeleteParametersCommand({ Names: names })))).toBe('ValidationException');
  });

  it('deletes one parameter, then answers ParameterNotFound', async () => {
    await ssm.send(new PutParameterCommand({ Name: '/del/one', Value: 'x', Type: 'String' }));
    await ssm.send(new DeleteParameterCommand({ Name: '/del/one' }));
    expect(await errorName(ssm.send(new GetParameterCommand({ Name: '/del/one' })))).toBe('ParameterNotFound');
    expect(await errorName(ssm.send(new DeleteParameterCommand({ Name: '/del/one' })))).toBe('ParameterNotFound');
  });

  it('deletes several and reports the unknown ones; a re-created parameter starts at version 1', async () => {
    await ssm.send(new PutParameterCommand({ Name: '/del/a', Value: 'x', Type: 'String' }));
    await ssm.send(new PutParameterCommand({ Name: '/del/a', Value: 'y', Overwrite: true }));
    await ssm.send(new PutParameterCommand({ Name: '/del/b', Value: 'x', Type: 'String' }));
    const result = await ssm.send(new DeleteParametersCommand({ Names: ['/del/a', '/del/b', '/del/c'] }));
    expect(result.DeletedParameters).toEqual(['/del/a', '/del/b']);
    expect(result.InvalidParameters).toEqual(['/del/c']);
    const put = await ssm.send(new PutParameterCommand({ Name: '/del/a', Value: 'z', Type: 'String' }));
    expect(put.Version).toBe(1);
  });
});
