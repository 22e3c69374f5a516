import { catalogDifferences, inSync, type CatalogEntries } from '../../../bench/churn/mesh-state';

const instance = (taskArn: string, address: string) => ({ ID: `web-${taskArn}`, Kind: '', Address: address, Meta: { 'task-arn': taskArn } });
const proxy = (taskArn: string, address: string) => ({ ID: `web-${taskArn}-sidecar-proxy`, Kind: 'connect-proxy', Address: address, Meta: { 'task-arn': taskArn } });

describe('catalogDifferences', () => {
  const running = new Map([
    ['t1', '10.0.0.1'],
    ['t2', '10.0.0.2'],
  ]);

  it('finds nothing when every running task has its instance at its address and every check passes', () => {
    const catalog: CatalogEntries = {
      services: [instance('t1', '10.0.0.1'), proxy('t1', '10.0.0.1'), instance('t2', '10.0.0.2'), { ID: 'legacy', Kind: '', Address: '1.1.1.1', Meta: null }],
      checks: [{ ServiceID: 'web-t1', Status: 'passing' }],
    };
    const differences = catalogDifferences(running, catalog);
    expect(differences).toEqual({ missing: 0, extra: 0, wrongAddress: 0, notPassing: 0 });
    expect(inSync(differences)).toBe(true);
  });

  it('counts missing, extra and moved instances and checks that do not pass', () => {
    const catalog: CatalogEntries = {
      services: [instance('t1', '10.9.9.9'), instance('gone', '10.0.0.3'), proxy('t2', '10.0.0.2')],
      checks: [{ ServiceID: 'web-t1', Status: 'critical' }],
    };
    const differences = catalogDifferences(running, catalog);
    expect(differences).toEqual({ missing: 1, extra: 1, wrongAddress: 1, notPassing: 1 });
    expect(inSync(differences)).toBe(false);
  });
});
