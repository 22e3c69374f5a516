/**
 * `ParameterFilters` (ParameterStringFilter): which keys each operation accepts, their options, and matching.
 * GetParametersByPath accepts `Type`, `KeyId`, `Label` and `tag:<key>`; DescribeParameters accepts `Name`,
 * `Path`, `Type`, `KeyId`, `Tier` and `tag:<key>`.
 */
import { AwsServiceError } from '../protocol';
import { isUnderPath } from './names';
import type { ParameterFilter } from './schemas';
import type { ParameterVersion, StoredParameter } from './store';

export const BY_PATH_FILTER_KEYS = ['Type', 'KeyId', 'Label'];
export const DESCRIBE_FILTER_KEYS = ['Name', 'Path', 'Type', 'KeyId', 'Tier'];

const OPTIONS: Record<string, string[]> = {
  Name: ['Equals', 'BeginsWith', 'Contains'],
  Path: ['OneLevel', 'Recursive'],
  Label: ['Equals'],
};
const DEFAULT_OPTIONS = ['Equals', 'BeginsWith'];

function optionOf(filter: ParameterFilter): string {
  return filter.Option ?? (filter.Key === 'Path' ? 'OneLevel' : 'Equals');
}

/** Throw `InvalidFilterKey` / `InvalidFilterOption` / `InvalidFilterValue` as AWS does. */
export function checkFilters(filters: ParameterFilter[], allowedKeys: string[]): void {
  const seen = new Set<string>();
  for (const filter of filters) {
    const isTag = filter.Key.startsWith('tag:') && filter.Key.length > 4;
    if (!isTag && !allowedKeys.includes(filter.Key)) {
      throw new AwsServiceError(
        'InvalidFilterKey',
        `The following filter key is not valid: ${filter.Key}. Valid filter keys include: [${allowedKeys.join(', ')}].`,
      );
    }
    if (seen.has(filter.Key)) {
      throw new AwsServiceError(
        'InvalidFilterKey',
        `The following filter is duplicated in the request: ${filter.Key}. A request can contain only one occurrence of a specific filter.`,
      );
    }
    seen.add(filter.Key);
    const options = OPTIONS[filter.Key] ?? DEFAULT_OPTIONS;
    if (!options.includes(optionOf(filter))) {
      throw new AwsServiceError(
        'InvalidFilterOption',
        `The following filter option is not valid: ${optionOf(filter)}. Valid options include: [${options.join(', ')}].`,
      );
    }
    // Tag filters may omit values (the tag key only has to exist); every other key needs values.
    if (!isTag && (filter.Values ?? []).length === 0) {
      throw new AwsServiceError('InvalidFilterValue', `The following filter values are missing : null for filter key ${filter.Key}.`);
    }
  }
}

function compare(actual: string | undefined, filter: ParameterFilter): boolean {
  if (actual === undefined) return false;
  const values = filter.Values ?? [];
  switch (optionOf(filter)) {
    case 'BeginsWith':
      return values.some((v) => actual.startsWith(v));
    case 'Contains':
      return values.some((v) => actual.includes(v));
    default:
      return values.includes(actual);
  }
}

/** True when `version` of `parameter` passes every filter (a `Label` filter is applied by the caller). */
export function matchesFilters(parameter: StoredParameter, version: ParameterVersion, filters: ParameterFilter[]): boolean {
  return filters.every((filter) => {
    if (filter.Key.startsWith('tag:')) {
      const tag = parameter.tags.get(filter.Key.slice(4));
      return filter.Values === undefined || filter.Values.length === 0 ? tag !== undefined : compare(tag, filter);
    }
    switch (filter.Key) {
      case 'Name':
        return compare(parameter.name, filter);
      case 'Path':
        return (filter.Values ?? []).some((path) => isUnderPath(parameter.name, path, optionOf(filter) === 'Recursive'));
      case 'Type':
        return compare(version.type, filter);
      case 'KeyId':
        return compare(version.keyId, filter);
      case 'Tier':
        return compare(version.tier, filter);
      default:
        return true;
    }
  });
}
