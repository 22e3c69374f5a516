import { join, resolve } from 'node:path';
import { DEFAULT_DATAPLANE_CONTENT_HASH, DEFAULT_DATAPLANE_CONTEXT, hashBuildContext, withContentHashes, withDefaultDataplane } from '../../../layers/build-context';

const ROOT = resolve(__dirname, '../../..');

describe('the default dataplane build', () => {
  it('carries the content hash of docker/consul-dataplane as it is (update DEFAULT_DATAPLANE_CONTENT_HASH when the files change)', () => {
    expect(DEFAULT_DATAPLANE_CONTENT_HASH).toBe(hashBuildContext(join(ROOT, DEFAULT_DATAPLANE_CONTEXT)));
  });

  it('is the same default in the HTTP API (no files) and in meshctl deploy (hashing the files)', () => {
    const spec = { name: 'shop', clusters: [] };
    expect(withDefaultDataplane(spec)).toEqual(withContentHashes(spec, ROOT));
  });

  it('leaves a spec that names its dataplane, and what is not a spec, alone', () => {
    const named = { name: 'shop', consul: { dataplane: { image: 'hashicorp/consul-dataplane:1.6.0' } } };
    expect(withDefaultDataplane(named)).toEqual(named);
    expect(withDefaultDataplane('text')).toBe('text');
    expect(withDefaultDataplane({ consul: 3 })).toEqual({ consul: 3 });
  });
});
