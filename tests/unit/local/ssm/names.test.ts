/** Parameter Store's naming rules as the local SSM applies them: one name per parameter, whatever the slash. */
import { canonicalName, isUnderPath, referencedName } from '../../../../local/aws/ssm/names';
import { ParameterStore } from '../../../../local/aws/ssm/store';

describe('canonicalName', () => {
  it('drops the leading slash of a one-level name and keeps it on a path', () => {
    expect(canonicalName('/api-token')).toBe('api-token');
    expect(canonicalName(' api-token ')).toBe('api-token');
    expect(canonicalName('/consul-mesh/reference/api-token')).toBe('/consul-mesh/reference/api-token');
  });
});

describe('isUnderPath', () => {
  it('puts a one-level name directly under /, and nowhere deeper', () => {
    expect(isUnderPath('api-token', '/', false)).toBe(true);
    expect(isUnderPath('api-token', '/api', true)).toBe(false);
    expect(isUnderPath('/mesh/a', '/', false)).toBe(false);
    expect(isUnderPath('/mesh/a', '/', true)).toBe(true);
  });
});

describe('referencedName', () => {
  it('reads the name out of a parameter ARN of this region and account only', () => {
    expect(referencedName('arn:aws:ssm:us-east-1:000000000000:parameter/mesh/a:2', 'us-east-1', '000000000000')).toBe('/mesh/a:2');
    expect(referencedName('arn:aws:ssm:eu-west-1:000000000000:parameter/mesh/a', 'us-east-1', '000000000000')).toBe(
      'arn:aws:ssm:eu-west-1:000000000000:parameter/mesh/a',
    );
  });
});

describe('ParameterStore.importParameters', () => {
  it('finds a one-level name saved with its leading slash under its canonical name', () => {
    const store = new ParameterStore();
    const version = { version: 1, type: 'String' as const, value: 'v', tier: 'Standard' as const, dataType: 'text', lastModifiedDate: 0, labels: [] };
    store.importParameters([{ name: '/saved-single', versions: [version], tags: [] }]);
    expect(store.require('saved-single').name).toBe('saved-single');
  });
});
