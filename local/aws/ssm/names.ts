/**
 * Parameter names, hierarchies and selectors, as Parameter Store defines them
 * ("Requirements and constraints for parameter names" in the Systems Manager user guide).
 */
import { AwsServiceError } from '../protocol';
import { validationError } from './validation';

/** "A hierarchy can have a maximum of 15 levels" (the last segment, the name itself, counts). */
export const MAX_HIERARCHY_LEVELS = 15;
/** The fully qualified name, ARN included, may have at most 1011 characters. */
export const MAX_QUALIFIED_NAME_LENGTH = 1011;

const NAME_CHARACTERS = /^[a-zA-Z0-9_.\-/]+$/;

const NAME_RULES =
  'The parameter name must use only letters, numbers, or the following symbols: . (period), - (hyphen), ' +
  '_ (underscore). Special characters are not allowed. All sub-paths, if specified, must use the forward slash ' +
  'symbol "/". Valid example: /get/parameters2-/by1./path0_.';

/** `arn:aws:ssm:<region>:<account>:parameter/<name without its leading slash>`. */
export function parameterArn(region: string, accountId: string, name: string): string {
  return `arn:aws:ssm:${region}:${accountId}:parameter/${name.replace(/^\//, '')}`;
}

/** Number of hierarchy levels of a name or path: `/a/b/c` has 3, `plain` has 1. */
export function hierarchyLevels(name: string): number {
  return name.replace(/^\//, '').split('/').length;
}

/**
 * The service removes spaces at the beginning or end of a name; everything else must follow the naming rules.
 * Returns the normalised name or throws the error AWS answers.
 */
export function validateParameterName(raw: string, region: string, accountId: string): string {
  const name = raw.trim();
  if (!NAME_CHARACTERS.test(name)) throw validationError(`Parameter name: ${NAME_RULES}`);
  if (/^\/?(aws|ssm)/i.test(name)) {
    throw validationError('Parameter name: can\'t be prefixed with "aws" or "ssm" (case-insensitive).');
  }
  // A name with slashes is a path: it must be fully qualified, i.e. start at the root.
  if (name.includes('/') && !name.startsWith('/')) {
    throw validationError('Parameter name must be a fully qualified name.');
  }
  if (name.includes('//') || name.endsWith('/')) throw validationError(`Parameter name: ${NAME_RULES}`);
  if (hierarchyLevels(name) > MAX_HIERARCHY_LEVELS) {
    throw new AwsServiceError(
      'HierarchyLevelLimitExceededException',
      `A hierarchy can have a maximum of ${MAX_HIERARCHY_LEVELS} levels.`,
    );
  }
  if (parameterArn(region, accountId, name).length > MAX_QUALIFIED_NAME_LENGTH) {
    throw validationError(
      `Parameter name: the fully qualified name, ARN included, can have at most ${MAX_QUALIFIED_NAME_LENGTH} characters.`,
    );
  }
  return name;
}

/** A path for GetParametersByPath: starts with `/`, same characters as names, at most 15 levels. */
export function validatePath(path: string): string {
  if (!path.startsWith('/') || !NAME_CHARACTERS.test(path) || path.includes('//')) {
    throw validationError(`The parameter path must begin with a forward slash "/". ${NAME_RULES}`);
  }
  if (/^\/(aws|ssm)/i.test(path)) {
    throw validationError('Filters for common parameters can\'t be prefixed with "aws" or "ssm" (case-insensitive).');
  }
  if (path !== '/' && hierarchyLevels(path.replace(/\/$/, '')) > MAX_HIERARCHY_LEVELS) {
    throw new AwsServiceError(
      'HierarchyLevelLimitExceededException',
      `A hierarchy can have a maximum of ${MAX_HIERARCHY_LEVELS} levels.`,
    );
  }
  return path;
}

/** True when `name` lies under `path`: directly, or at any depth when `recursive`. */
export function isUnderPath(name: string, path: string, recursive: boolean): boolean {
  const prefix = path.endsWith('/') ? path : `${path}/`;
  if (!name.startsWith(prefix)) return false;
  return recursive || !name.slice(prefix.length).includes('/');
}

export type Selector = { kind: 'version'; version: number; text: string } | { kind: 'label'; label: string; text: string };

/**
 * Split `name:version` or `name:label` (names cannot contain `:`, so the first colon starts the selector).
 * A selector made of digits only is a version.
 */
export function parseSelector(raw: string): { name: string; selector?: Selector } {
  const colon = raw.indexOf(':');
  if (colon < 0) return { name: raw.trim() };
  const name = raw.slice(0, colon).trim();
  const text = raw.slice(colon + 1);
  if (/^\d+$/.test(text)) return { name, selector: { kind: 'version', version: Number(text), text } };
  return { name, selector: { kind: 'label', label: text, text } };
}
