import type { TaskRegistration } from '../domain/registration';
import type { CatalogTask } from './catalog-view';

/** What differs between a task's registration and the catalog: the kinds of repair the reconcile reports. */
export type DriftKind = 'address' | 'check' | 'registration';

export interface RegistrationDrift {
  /** Empty when the catalog already holds the registration. */
  kinds: DriftKind[];
  /** Service entries of the task that the registration does not contain (to delete). */
  extraServiceIds: string[];
  /** The same entries with their names (a transaction's delete carries the name Consul authorizes). */
  extraServices: Array<{ ID: string; Service: string }>;
  /** Checks on the task's services that the registration does not contain (to delete). */
  extraCheckIds: string[];
}

/**
 * Compares a built registration with the task's catalog entries, field by field on what the registration sets:
 * Consul adds its own fields and defaults (indexes, `Weights`, proxy `Mode`, upstream defaults...), which are not
 * drift. `address`: an instance or proxy at another address. `check`: a check missing or with another status or
 * output. `registration`: anything else the orchestrator writes (a missing proxy, port, upstreams, Meta such as
 * the applied version), or entries it would not write.
 */
export function diffRegistration(desired: TaskRegistration, actual: CatalogTask): RegistrationDrift {
  const kinds = new Set<DriftKind>();
  const servicesById = new Map(actual.services.map((s) => [s.ID, s]));
  for (const service of desired.services) {
    const current = servicesById.get(service.ID);
    if (!current) {
      kinds.add('registration');
      continue;
    }
    if (current.Address !== service.Address) kinds.add('address');
    const { Address: _address, ...rest } = service;
    if (!matches(rest, current)) kinds.add('registration');
  }
  const checksById = new Map(actual.checks.map((c) => [c.CheckID, c]));
  for (const check of desired.checks) {
    const current = checksById.get(check.CheckID);
    if (!current || current.Status !== check.Status || (current.Output ?? '') !== check.Output) kinds.add('check');
    else if (!matches(check, current)) kinds.add('registration');
  }
  const wantedServices = new Set(desired.services.map((s) => s.ID));
  const wantedChecks = new Set(desired.checks.map((c) => c.CheckID));
  const extraServices = actual.services.filter((s) => !wantedServices.has(s.ID)).map((s) => ({ ID: s.ID, Service: s.Service }));
  const extraServiceIds = extraServices.map((s) => s.ID);
  const extraCheckIds = actual.checks.filter((c) => !wantedChecks.has(c.CheckID)).map((c) => c.CheckID);
  if (extraServiceIds.length > 0 || extraCheckIds.length > 0) kinds.add('registration');
  const order: DriftKind[] = ['address', 'check', 'registration'];
  return { kinds: order.filter((k) => kinds.has(k)), extraServiceIds, extraServices, extraCheckIds };
}

/**
 * Whether `actual` holds everything `desired` sets: objects compared on the desired keys only, arrays element by
 * element (Consul answers `null` for an empty list), everything else strictly.
 */
export function matches(desired: unknown, actual: unknown): boolean {
  if (desired === undefined) return true;
  if (Array.isArray(desired)) {
    const list = actual ?? [];
    return Array.isArray(list) && list.length === desired.length && desired.every((item, i) => matches(item, list[i]));
  }
  if (desired !== null && typeof desired === 'object') {
    if (actual === null || typeof actual !== 'object' || Array.isArray(actual)) return false;
    const record = actual as Record<string, unknown>;
    return Object.entries(desired).every(([key, value]) => matches(value, record[key]));
  }
  return desired === actual;
}
