import {
  GetParameterCommand,
  GetParameterHistoryCommand,
  LabelParameterVersionCommand,
  PutParameterCommand,
  SSMClient,
  UnlabelParameterVersionCommand,
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

async function putVersions(name: string, count: number): Promise<void> {
  await ssm.send(new PutParameterCommand({ Name: name, Value: 'v1', Type: 'String' }));
  for (let i = 2; i <= count; i++) {
    await ssm.send(new PutParameterCommand({ Name: name, Value: `v${i}`, Overwrite: true }));
  }
}

describe('LabelParameterVersion', () => {
  it('labels a version, which GetParameter then selects with name:label', async () => {
    await putVersions('/lbl/a', 3);
    const result = await ssm.send(new LabelParameterVersionCommand({ Name: '/lbl/a', ParameterVersion: 2, Labels: ['prod'] }));
    expect(result).toMatchObject({ InvalidLabels: [], ParameterVersion: 2 });
    const { Parameter } = await ssm.send(new GetParameterCommand({ Name: '/lbl/a:prod' }));
    expect(Parameter).toMatchObject({ Value: 'v2', Version: 2, Selector: ':prod' });
  });

  it('labels the latest version when ParameterVersion is omitted', async () => {
    await putVersions('/lbl/latest', 2);
    const result = await ssm.send(new LabelParameterVersionCommand({ Name: '/lbl/latest', Labels: ['current'] }));
    expect(result.ParameterVersion).toBe(2);
  });

  it('moves a label from another version instead of duplicating it', async () => {
    await putVersions('/lbl/move', 2);
    await ssm.send(new LabelParameterVersionCommand({ Name: '/lbl/move', ParameterVersion: 1, Labels: ['live'] }));
    await ssm.send(new LabelParameterVersionCommand({ Name: '/lbl/move', ParameterVersion: 2, Labels: ['live'] }));
    const history = await ssm.send(new GetParameterHistoryCommand({ Name: '/lbl/move' }));
    expect(history.Parameters?.map((p) => [p.Version, p.Labels])).toEqual([
      [1, []],
      [2, ['live']],
    ]);
  });

  it('returns labels breaking the naming rules in InvalidLabels and attaches the valid ones', async () => {
    await putVersions('/lbl/rules', 1);
    const result = await ssm.send(
      new LabelParameterVersionCommand({ Name: '/lbl/rules', Labels: ['1starts-with-digit', 'awsReserved', 'SSMx', 'has space', 'ok-label'] }),
    );
    expect(result.InvalidLabels).toEqual(['1starts-with-digit', 'awsReserved', 'SSMx', 'has space']);
    const history = await ssm.send(new GetParameterHistoryCommand({ Name: '/lbl/rules' }));
    expect(history.Parameters?.[0].Labels).toEqual(['ok-label']);
  });

  it('allows at most 10 labels on a version (ParameterVersionLabelLimitExceeded)', async () => {
    await putVersions('/lbl/ten', 1);
    const ten = Array.from({ length: 10 }, (_, i) => `l${i}`);
    await ssm.send(new LabelParameterVersionCommand({ Name: '/lbl/ten', Labels: ten }));
    expect(await errorName(ssm.send(new LabelParameterVersionCommand({ Name: '/lbl/ten', Labels: ['eleventh'] })))).toBe(
      'ParameterVersionLabelLimitExceeded',
    );
  });

  it('answers ParameterNotFound and ParameterVersionNotFound', async () => {
    expect(await errorName(ssm.send(new LabelParameterVersionCommand({ Name: '/lbl/none', Labels: ['x'] })))).toBe(
      'ParameterNotFound',
    );
    await putVersions('/lbl/v', 1);
    expect(
      await errorName(ssm.send(new LabelParameterVersionCommand({ Name: '/lbl/v', ParameterVersion: 5, Labels: ['x'] }))),
    ).toBe('ParameterVersionNotFound');
  });

  it('removes labels with UnlabelParameterVersion', async () => {
    await putVersions('/lbl/un', 1);
    await ssm.send(new LabelParameterVersionCommand({ Name: '/lbl/un', Labels: ['a', 'b'] }));
    const result = await ssm.send(
      new UnlabelParameterVersionCommand({ Name: '/lbl/un', ParameterVersion: 1, Labels: ['a', 'zzz'] }),
    );
    expect(result).toMatchObject({ RemovedLabels: ['a'], InvalidLabels: ['zzz'] });
    expect(await errorName(ssm.send(new GetParameterCommand({ Name: '/lbl/un:a' })))).toBe('ParameterNotFound');
  });
});

describe('GetParameterHistory', () => {
  it('lists every version oldest first with labels, tier and description, in pages', async () => {
    await ssm.send(new PutParameterCommand({ Name: '/hist/p', Value: 'v1', Type: 'String', Description: 'first' }));
    for (let i = 2; i <= 5; i++) await ssm.send(new PutParameterCommand({ Name: '/hist/p', Value: `v${i}`, Overwrite: true }));
    const first = await ssm.send(new GetParameterHistoryCommand({ Name: '/hist/p', MaxResults: 2 }));
    expect(first.Parameters?.map((p) => p.Version)).toEqual([1, 2]);
    expect(first.Parameters?.[0]).toMatchObject({ Value: 'v1', Description: 'first', Tier: 'Standard', DataType: 'text' });
    expect(first.NextToken).toBeDefined();
    const versions: number[] = [];
    let token: string | undefined;
    do {
      const page = await ssm.send(new GetParameterHistoryCommand({ Name: '/hist/p', MaxResults: 2, NextToken: token }));
      versions.push(...(page.Parameters ?? []).map((p) => p.Version!));
      token = page.NextToken;
    } while (token);
    expect(versions).toEqual([1, 2, 3, 4, 5]);
  });

  it('shows SecureString history as ciphertext unless decrypted, with the KeyId', async () => {
    await ssm.send(new PutParameterCommand({ Name: '/hist/secret', Value: 'token-1', Type: 'SecureString' }));
    const hidden = await ssm.send(new GetParameterHistoryCommand({ Name: '/hist/secret' }));
    expect(hidden.Parameters?.[0].Value).not.toBe('token-1');
    expect(hidden.Parameters?.[0].KeyId).toBe('alias/aws/ssm');
    const shown = await ssm.send(new GetParameterHistoryCommand({ Name: '/hist/secret', WithDecryption: true }));
    expect(shown.Parameters?.[0].Value).toBe('token-1');
  });

  it('rejects MaxResults over 50 and answers ParameterNotFound for unknown names', async () => {
    expect(await errorName(ssm.send(new GetParameterHistoryCommand({ Name: '/hist/p', MaxResults: 51 })))).toBe(
      'ValidationException',
    );
    expect(await errorName(ssm.send(new GetParameterHistoryCommand({ Name: '/hist/none' })))).toBe('ParameterNotFound');
  });
});

describe('the 100-version limit', () => {
  it('drops the oldest version when a 101st is created', async () => {
    await putVersions('/limit/plain', 101);
    expect(await errorName(ssm.send(new GetParameterCommand({ Name: '/limit/plain:1' })))).toBe('ParameterVersionNotFound');
    const { Parameter } = await ssm.send(new GetParameterCommand({ Name: '/limit/plain:2' }));
    expect(Parameter?.Value).toBe('v2');
    const latest = await ssm.send(new GetParameterCommand({ Name: '/limit/plain' }));
    expect(latest.Parameter?.Version).toBe(101);
  });

  it('refuses a new version with ParameterMaxVersionLimitExceeded while the oldest carries a label', async () => {
    await putVersions('/limit/labelled', 100);
    await ssm.send(new LabelParameterVersionCommand({ Name: '/limit/labelled', ParameterVersion: 1, Labels: ['pinned'] }));
    expect(
      await errorName(ssm.send(new PutParameterCommand({ Name: '/limit/labelled', Value: 'v101', Overwrite: true }))),
    ).toBe('ParameterMaxVersionLimitExceeded');
    // Moving the label away lets the oldest version go.
    await ssm.send(new LabelParameterVersionCommand({ Name: '/limit/labelled', ParameterVersion: 100, Labels: ['pinned'] }));
    const put = await ssm.send(new PutParameterCommand({ Name: '/limit/labelled', Value: 'v101', Overwrite: true }));
    expect(put.Version).toBe(101);
  });
});
