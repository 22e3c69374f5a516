/** An emulated service's state is kept per account and region: one store each, created on first use. */
import { AccountRegionStores } from '../../../local/aws/stores';
import { LOCAL_ACCOUNT_ID } from '../../../local/aws/protocol';

describe('AccountRegionStores', () => {
  it('creates one store per account and region on first use, and gives the same one back', () => {
    const created: string[] = [];
    const stores = new AccountRegionStores((region, accountId) => {
      created.push(`${accountId}/${region}`);
      return new Map<string, string>();
    });
    stores.get('us-east-1').set('a', '1');
    stores.get('eu-west-1').set('a', '2');
    stores.get('us-east-1', '111122223333').set('a', '3');
    expect(stores.get('us-east-1', LOCAL_ACCOUNT_ID).get('a')).toBe('1');
    expect(stores.get('eu-west-1').get('a')).toBe('2');
    expect(stores.get('us-east-1', '111122223333').get('a')).toBe('3');
    expect(created).toEqual([`${LOCAL_ACCOUNT_ID}/us-east-1`, `${LOCAL_ACCOUNT_ID}/eu-west-1`, '111122223333/us-east-1']);
  });

  it("lists one account's stores by region, and forgets them all on clear", () => {
    const stores = new AccountRegionStores(() => [] as string[]);
    stores.get('us-east-1').push('x');
    stores.get('us-east-1', '111122223333').push('y');
    expect(stores.byRegion()).toEqual([['us-east-1', ['x']]]);
    expect(stores.all()).toEqual([['x'], ['y']]);
    stores.clear();
    expect(stores.all()).toEqual([]);
    expect(stores.get('us-east-1')).toEqual([]);
  });
});
