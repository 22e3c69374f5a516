import { committedNodeCatalog, deleteService, ensureNode, ensureService, checksOfNode, servicesOfNode, type ServiceInput } from '../../../../local/consul/store/catalog-ops';
import { ConsulStore } from '../../../../local/consul/store/store';

const service = (id: string): ServiceInput => ({
  Kind: '',
  ID: id,
  Service: 'users',
  Tags: null,
  Address: '10.0.0.1',
  TaggedAddresses: null,
  Meta: null,
  Port: 8080,
  Weights: null,
  EnableTagOverride: false,
  Proxy: {},
  Connect: {},
});

describe('a committed state\'s catalog by node', () => {
  it('answers what a scan of the whole catalog answers, and follows every write', () => {
    const store = new ConsulStore();
    store.write((txn) => {
      for (const node of ['cluster-1', 'cluster-2']) ensureNode(txn, { ID: '', Node: node, Address: '127.0.0.1', TaggedAddresses: null, Meta: null }, 'dc1');
      ensureService(txn, 'cluster-1', service('users-a'));
      ensureService(txn, 'cluster-1', service('users-b'));
      ensureService(txn, 'cluster-2', service('users-c'));
    });
    const before = store.state;
    expect(committedNodeCatalog(before, 'cluster-1').services.map((s) => s.ID)).toEqual(servicesOfNode(before, 'cluster-1').map((s) => s.ID));
    expect(committedNodeCatalog(before, 'cluster-1').checks).toEqual(checksOfNode(before, 'cluster-1'));
    expect(committedNodeCatalog(before, 'nowhere')).toEqual({ services: [], checks: [] });

    store.write((txn) => deleteService(txn, 'cluster-1', 'users-a'));
    // A write commits a new state: its answer has the change, the old state's answer is what it was.
    expect(committedNodeCatalog(store.state, 'cluster-1').services.map((s) => s.ID)).toEqual(['users-b']);
    expect(committedNodeCatalog(before, 'cluster-1').services.map((s) => s.ID)).toEqual(['users-a', 'users-b']);
  });
});
