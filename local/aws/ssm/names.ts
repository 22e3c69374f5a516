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

/**
 * The one name Parameter Store keeps for a parameter. A name of one level is the same parameter with or without
 * a leading slash (both have the ARN `...:parameter/name`), and AWS stores and returns it without the slash;
 * a name with several levels is a path and keeps its leading slash.
 *
 * @example canonicalName(' /api-token ') // 'api-token'; canonicalName('/mesh/a') // '/mesh/a'
 */
export function canonicalName(raw: string): string {
  const name = raw.trim();
  const withoutSlash = name.startsWith('/') ? name.slice(1) : name;
  return withoutSlash.includes('/') ? name : withoutSlash;
}

/** A name as the root of the hierarchy sees it: `api-token` lies directly under `/`. */
function qualifiedName(name: string): string {
  return name.startsWith('/') ? name : `/${name}`;
}

const PARAMETER_ARN = /^arn:aws[a-z-]*:ssm:([^:]*):([^:]*):parameter(\/.*)$/;

/**
 * The name (with its `:version` / `:label` selector) a reference to a parameter means: the reading operations
 * (GetParameter, GetParameters, GetParameterHistory) accept the full ARN as well as the name. An ARN of another
 * region or account names a parameter this store does not hold: it is left as it is, and is not found.
 */
export function referencedName(reference: string, region: string, accountId: string): string {
  const match = PARAMETER_ARN.exec(reference.trim());
  if (!match || match[1] !== region || match[2] !== accountId) return reference;
  return match[3];
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
  return canonicalName(name);
}

/** AWS's answer to a path (GetParametersByPath, a `Path` filter) that does not meet the naming rules. */
export const PATH_RULES =
  'The parameter doesn\'t meet the parameter name requirements. The parameter name must begin with a forward slash "/". ' +
  'It can\'t be prefixed with \\"aws\\" or \\"ssm\\" (case-insensitive). It must use only letters, numbers, or the ' +
  'following symbols: . (period), - (hyphen), _ (underscore). Special characters are not allowed. All sub-paths, if ' +
  'specified, must use the forward slash symbol "/". Valid example: /get/parameters2-/by1./path0_.';

/** A path for GetParametersByPath: starts with `/`, same characters as names, at most 15 levels. */
export function validatePath(path: string): string {
  if (!path.startsWith('/') || !NAME_CHARACTERS.test(path) || path.includes('//')) throw validationError(PATH_RULES);
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

/**
 * True when `name` lies under `path`: directly, or at any depth when `recursive`. A name of one level
 * (`api-token`, stored without its slash) lies directly under `/`, as on AWS.
 */
export function isUnderPath(name: string, path: string, recursive: boolean): boolean {
  const prefix = path.endsWith('/') ? path : `${path}/`;
  const qualified = qualifiedName(name);
  if (!qualified.startsWith(prefix)) return false;
  return recursive || !qualified.slice(prefix.length).includes('/');
}

export type Selector = { kind: 'version'; version: number; text: string } | { kind: 'label'; label: string; text: string };

/**
 * Split `name:version` or `name:label` (names cannot contain `:`, so the first colon starts the selector).
 * A selector made of digits only is a version.
 */
export function parseSelector(raw: string): { name: string; selector?: Selector } {
  const colon = raw.indexOf(':');
  if (colon < 0) return { name: canonicalName(raw) };
  const name = canonicalName(raw.slice(0, colon));
  const text = raw.slice(colon + 1);
  if (/^\d+$/.test(text)) return { name, selector: { kind: 'version', version: Number(text), text } };
  return { name, selector: { kind: 'label', label: text, text } };
}
