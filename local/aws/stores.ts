/**
 * The state of an emulated service is kept per account and region, as AWS keeps it and as LocalStack keys its
 * stores (`AccountRegionBundle`): a call signed for `eu-west-1` never sees what `us-east-1` holds. Every call the
 * local endpoint serves belongs to the one local account (`LOCAL_ACCOUNT_ID`), so the account defaults to it.
 *
 * @example
 * const stores = new AccountRegionStores(() => new ParameterStore());
 * stores.get(ctx.region, ctx.accountId).require(name);
 */
import { LOCAL_ACCOUNT_ID } from './protocol';

export class AccountRegionStores<S> {
  private readonly stores = new Map<string, { readonly accountId: string; readonly region: string; readonly store: S }>();

  /** `create` makes the empty store of an account and region, on its first use. */
  constructor(private readonly create: (region: string, accountId: string) => S) {}

  /** The store of one account and region, created empty on first use. */
  get(region: string, accountId: string = LOCAL_ACCOUNT_ID): S {
    const key = `${accountId}/${region}`;
    let entry = this.stores.get(key);
    if (!entry) {
      entry = { accountId, region, store: this.create(region, accountId) };
      this.stores.set(key, entry);
    }
    return entry.store;
  }

  /** The stores of one account by region, in the order they were first used (what persistence saves). */
  byRegion(accountId: string = LOCAL_ACCOUNT_ID): [string, S][] {
    return [...this.stores.values()].filter((entry) => entry.accountId === accountId).map((entry) => [entry.region, entry.store]);
  }

  /** Every store of every account and region. */
  all(): S[] {
    return [...this.stores.values()].map((entry) => entry.store);
  }

  /** Forgets every store (before a saved state is imported). */
  clear(): void {
    this.stores.clear();
  }
}
