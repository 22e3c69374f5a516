import { attr, renderHcl, type HclValue } from './hcl';
import type { ConfigEntry } from './config-entry-types';

/**
 * Renders a config entry as the HCL file `consul config write` accepts (the same field names as the JSON body of
 * `PUT /v1/config`), so entries can be stored in SSM as files and applied or inspected by hand.
 *
 * @example
 *   renderConfigEntryHcl({ Kind: 'service-defaults', Name: 'users', Protocol: 'http' })
 *   // 'Kind = "service-defaults"\nName = "users"\nProtocol = "http"\n'
 */
export function renderConfigEntryHcl(entry: ConfigEntry): string {
  return renderHcl(
    Object.entries(entry)
      .filter(([, value]) => value !== undefined)
      .map(([key, value]) => attr(key, toHclValue(value))),
  );
}

/** Config entries are plain JSON data (strings, numbers, booleans, lists, objects); `undefined` fields are left out. */
function toHclValue(value: unknown): HclValue {
  if (typeof value === 'string' || typeof value === 'number' || typeof value === 'boolean') return value;
  if (Array.isArray(value)) return value.map(toHclValue);
  if (typeof value === 'object' && value !== null) {
    const out: Record<string, HclValue> = {};
    for (const [key, v] of Object.entries(value)) if (v !== undefined) out[key] = toHclValue(v);
    return out;
  }
  throw new TypeError(`config entries hold only JSON data, not ${typeof value}`);
}
