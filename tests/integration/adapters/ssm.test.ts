/**
 * The SSM adapter, driven through the real SDK client against the local SSM (which refuses what SSM refuses:
 * GetParameters and DeleteParameters over 10 names, a filter over 50 values, MaxResults over 10 for
 * GetParametersByPath and over 50 for DescribeParameters and GetParameterHistory). Each test counts the calls that
 * reached the endpoint, so a batch or a page too many or too few shows.
 */
import { PutParameterCommand, SSMClient } from '@aws-sdk/client-ssm';
import { startAwsEndpoint, type AwsEndpoint, SsmProvider } from '@consul-mesh/local-cloud';
import { createSsmApi, SSM_LIMITS, type SsmApi } from '../../../layers/adapters/ssm';

const name = (prefix: string, i: number) => `${prefix}/p${String(i).padStart(3, '0')}`;

describe('the SSM adapter against the local SSM', () => {
  let endpoint: AwsEndpoint;
  let client: SSMClient;
  let ssm: SsmApi;
  const calls = (operation: string) => endpoint.callCounts()[`AmazonSSM.${operation}`] ?? 0;
  const put = (Name: string, Value = 'v') => client.send(new PutParameterCommand({ Name, Value, Type: 'String', Overwrite: true }));

  beforeAll(async () => {
    endpoint = await startAwsEndpoint({ port: 0, providers: [new SsmProvider()], logger: () => undefined });
    client = new SSMClient({ endpoint: endpoint.url, region: 'us-east-1', credentials: { accessKeyId: 'test', secretAccessKey: 'test' } });
    ssm = createSsmApi(client);
    for (let i = 0; i < 60; i++) await put(name('/wide', i));
  });
  afterAll(async () => {
    client?.destroy();
    await endpoint?.stop();
  });
  beforeEach(() => endpoint.resetCallCounts());

  it('reads 25 names in three GetParameters calls of at most 10, leaving unknown names out', async () => {
    const names = [...Array.from({ length: 23 }, (_, i) => name('/wide', i)), '/wide/none-1', '/wide/none-2'];
    const found = await ssm.getParameters(names);
    expect(found.map((p) => p.Name)).toEqual(names.slice(0, 23));
    expect(calls('GetParameters')).toBe(Math.ceil(25 / SSM_LIMITS.getBatch));
  });

  it('reads a path of 60 parameters across GetParametersByPath pages of 10', async () => {
    const found = await ssm.getParametersByPath('/wide');
    expect(found).toHaveLength(60);
    expect(calls('GetParametersByPath')).toBe(6);
  });

  it('looks up 120 names by metadata with filters of at most 50 values, following the pages', async () => {
    const names = Array.from({ length: 120 }, (_, i) => name('/wide', i));
    const found = await ssm.describeParameters(names);
    expect(found.map((p) => p.Name).sort()).toEqual(names.slice(0, 60));
    expect(calls('DescribeParameters')).toBe(Math.ceil(120 / SSM_LIMITS.filterValues));
  });

  it('lists a tree by metadata across DescribeParameters pages of 50', async () => {
    expect(await ssm.listUnder('/wide')).toHaveLength(60);
    expect(calls('DescribeParameters')).toBe(2);
  });

  it('reads a history of 60 versions in pages of 50, and stops reading when the caller stops', async () => {
    for (let v = 0; v < 60; v++) await put('/history/p', `v${v}`);
    endpoint.resetCallCounts();
    const pages: number[] = [];
    for await (const page of ssm.versionPages('/history/p')) pages.push(page.length);
    expect(pages).toEqual([50, 10]);
    expect(calls('GetParameterHistory')).toBe(2);
    for await (const page of ssm.versionPages('/history/p')) if (page.length > 0) break;
    expect(calls('GetParameterHistory')).toBe(3);
  });

  it('deletes 25 names in three DeleteParameters calls of at most 10', async () => {
    for (let i = 0; i < 25; i++) await put(name('/doomed', i));
    endpoint.resetCallCounts();
    const deleted = await ssm.deleteParameters(Array.from({ length: 25 }, (_, i) => name('/doomed', i)));
    expect(deleted).toHaveLength(25);
    expect(calls('DeleteParameters')).toBe(3);
  });

  it("keeps SSM's own error names (ParameterNotFound, ParameterAlreadyExists), never rewrapped", async () => {
    await expect(ssm.getParameter('/wide/none')).rejects.toMatchObject({ name: 'ParameterNotFound' });
    await expect(ssm.putParameter({ Name: name('/wide', 0), Value: 'x', Type: 'String', Overwrite: false })).rejects.toMatchObject({ name: 'ParameterAlreadyExists' });
    await expect(ssm.deleteParameter('/wide/none')).rejects.toMatchObject({ name: 'ParameterNotFound' });
  });
});
