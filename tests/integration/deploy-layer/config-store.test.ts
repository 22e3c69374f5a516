import { DescribeParametersCommand, GetParameterCommand, GetParameterHistoryCommand, LabelParameterVersionCommand, PutParameterCommand, SSMClient } from '@aws-sdk/client-ssm';
import { startPartialCloud, type PartialCloud } from '@consul-mesh/local-cloud';
import { loadMeshSpec } from '../../../layers/domain/spec';
import { configParameterNames } from '../../../layers/domain/naming';
import { storeConfiguration } from '../../../layers/deploy/config-store';
import { createSsmApi } from '../../../layers/adapters/ssm';

/** The deploy's configuration store against the local SSM, through the real SDK client. */
describe('storing the rendered configuration in SSM', () => {
  let cloud: PartialCloud;
  let ssm: SSMClient;
  const spec = loadMeshSpec('examples/mesh.yaml');
  const serverHcl = configParameterNames(spec).serverHcl;

  beforeAll(async () => {
    cloud = await startPartialCloud({ ssm: true, logger: () => undefined });
    ssm = new SSMClient(cloud.clientConfig);
  });
  afterAll(async () => {
    await cloud?.close();
  });

  it('writes each file once, labelled with the deployment that introduced it, and nothing when it is unchanged', async () => {
    const first = await storeConfiguration(spec, 'd-first', { ssm: createSsmApi(ssm) });
    expect(first.every((p) => p.changed && p.version === 1)).toBe(true);
    // Twelve unchanged deployments: no new version, and no label per deployment (SSM allows 10 per version).
    for (let i = 0; i < 12; i++) {
      const again = await storeConfiguration(spec, `d-again-${i}`, { ssm: createSsmApi(ssm) });
      expect(again.every((p) => !p.changed && p.version === 1)).toBe(true);
    }
    const labelled = await ssm.send(new GetParameterCommand({ Name: `${serverHcl}:d-first` }));
    expect(labelled.Parameter?.Version).toBe(1);
  });

  it('still writes a changed file when the parameter already has 100 labelled versions', async () => {
    const name = configParameterNames({ name: 'full' }).serverHcl;
    for (let v = 1; v <= 100; v++) {
      await ssm.send(new PutParameterCommand({ Name: name, Value: `v${v}`, Type: 'String', Overwrite: true }));
      await ssm.send(new LabelParameterVersionCommand({ Name: name, ParameterVersion: v, Labels: [`d-old-${v}`] }));
    }
    const full = loadMeshSpec(require('node:fs').readFileSync('examples/mesh.yaml', 'utf8').replace('name: reference-mesh', 'name: full'));
    const stored = await storeConfiguration(full, 'd-new', { ssm: createSsmApi(ssm) });
    expect(stored.find((p) => p.name === name)).toMatchObject({ changed: true, version: 101 });
    const history = [];
    let NextToken: string | undefined;
    do {
      const page = await ssm.send(new GetParameterHistoryCommand({ Name: name, MaxResults: 50, NextToken }));
      history.push(...(page.Parameters ?? []));
      NextToken = page.NextToken;
    } while (NextToken);
    expect(history.map((p) => p.Version)).toEqual(Array.from({ length: 100 }, (_, i) => i + 2));
    expect(history.at(-1)?.Labels).toEqual(['d-new']);
  });

  it('writes a smaller value to a parameter that once needed the Advanced tier, which stays Advanced', async () => {
    // A mesh whose server configuration once rendered over 4 KB (say, many retry_join entries), stored Advanced.
    const grown = loadMeshSpec(require('node:fs').readFileSync('examples/mesh.yaml', 'utf8').replace('name: reference-mesh', 'name: grown'));
    const name = configParameterNames(grown).serverHcl;
    await ssm.send(new PutParameterCommand({ Name: name, Value: `# ${'x'.repeat(5000)}`, Type: 'String', Tier: 'Advanced' }));

    const stored = await storeConfiguration(grown, 'd-smaller', { ssm: createSsmApi(ssm) });

    expect(stored.find((p) => p.name === name)).toMatchObject({ changed: true, version: 2 });
    const described = await ssm.send(new DescribeParametersCommand({ ParameterFilters: [{ Key: 'Name', Values: [name] }] }));
    expect(described.Parameters?.[0]).toMatchObject({ Name: name, Tier: 'Advanced', Version: 2 });
    // Files that fit 4 KB and never needed more stay Standard (free).
    const other = configParameterNames(grown).dataplane('users');
    const standard = await ssm.send(new DescribeParametersCommand({ ParameterFilters: [{ Key: 'Name', Values: [other] }] }));
    expect(standard.Parameters?.[0]?.Tier).toBe('Standard');
  });
});
