/**
 * `ParameterFilters` (ParameterStringFilter): which keys each operation accepts, their options and values, and
 * matching. GetParametersByPath accepts `Type`, `KeyId` and `Label` (not `tag:`, `DataType`, `Name`, `Path` or
 * `Tier`); DescribeParameters accepts every key of the filter's pattern except `Label`.
 */
import { AwsServiceError } from '../protocol';
import { canonicalName, isUnderPath, PATH_RULES } from './names';
import type { ParameterFilter } from './schemas';
import type { ParameterVersion, StoredParameter } from './store';
import { validationError } from './validation';

export const BY_PATH_FILTER_KEYS = ['Type', 'KeyId', 'Label'];
export const DESCRIBE_FILTER_KEYS = ['Name', 'Path', 'Type', 'KeyId', 'Tier', 'DataType', 'tag:'];

/** The values AWS accepts for the keys that have a fixed set. */
const VALUES: Record<string, string[]> = {
  Type: ['String', 'StringList', 'SecureString'],
  Tier: ['Standard', 'Advanced', 'Intelligent-Tiering'],
};

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
    if (!allowedKeys.includes(isTag ? 'tag:' : filter.Key)) {
      const valid = allowedKeys.filter((key) => key !== 'tag:');
      throw new AwsServiceError(
        'InvalidFilterKey',
        `The following filter key is not valid: ${filter.Key}. Valid filter keys include: [${valid.join(', ')}].`,
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
    checkValues(filter);
  }
}

/** Values of `Type` and `Tier` come from a fixed set; `Path` values are paths, with the naming rules of paths. */
function checkValues(filter: ParameterFilter): void {
  const values = filter.Values ?? [];
  const allowed = VALUES[filter.Key];
  const wrong = allowed ? values.find((value) => !allowed.includes(value)) : undefined;
  if (wrong !== undefined) {
    throw new AwsServiceError(
      'InvalidFilterValue',
      `The following filter value is not valid: ${wrong}. Valid values include: [${allowed.join(', ')}].`,
    );
  }
  if (filter.Key !== 'Path') return;
  for (const path of values) {
    if (/^\/(aws|ssm)/i.test(path)) {
      throw validationError(
        'Filters for common parameters can\'t be prefixed with "aws" or "ssm" (case-insensitive). When using global ' +
          'parameters, please specify within a global namespace.',
      );
    }
    if (!path.startsWith('/') || path.includes('//') || !/^[a-zA-Z0-9_.\-/]+$/.test(path)) throw validationError(PATH_RULES);
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

/** `/`-qualified form of a name, so that `api-token` and `/api-token` compare as the one parameter they are. */
function qualified(name: string): string {
  return name.startsWith('/') ? name : `/${name}`;
}

/** A `Name` filter: a one-level name matches with or without its leading slash, as the parameter's own name does. */
function matchesName(name: string, filter: ParameterFilter): boolean {
  const values = filter.Values ?? [];
  switch (optionOf(filter)) {
    case 'BeginsWith':
      return values.some((v) => qualified(name).startsWith(qualified(v.trim())));
    case 'Contains':
      return values.some((v) => name.includes(v));
    default:
      return values.some((v) => canonicalName(v) === name);
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
        return matchesName(parameter.name, filter);
      case 'Path':
        return (filter.Values ?? []).some((path) => isUnderPath(parameter.name, path, optionOf(filter) === 'Recursive'));
      case 'Type':
        return compare(version.type, filter);
      case 'KeyId':
        return compare(version.keyId, filter);
      case 'Tier':
        return compare(version.tier, filter);
      case 'DataType':
        return compare(version.dataType, filter);
      default:
        return true;
    }
  });
}
