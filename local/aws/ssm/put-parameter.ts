/**
 * PutParameter's rules: create or (with `Overwrite`) add a version, with AWS's checks in AWS's order.
 */
import { AwsServiceError, type RequestContext } from '../protocol';
import { validateParameterName } from './names';
import type { PutParameterInput } from './schemas';
import { DEFAULT_SSM_KEY_ID, sealSecureString, validateKeyId } from './secure-string';
import { latestVersion, type ParameterStore, type ParameterVersion } from './store';
import { resolveTier, type StoredTier } from './tiers';
import { validationError } from './validation';

/** Data types Parameter Store knows; `text` is the default. */
const DATA_TYPES = ['text', 'aws:ec2:image', 'aws:ssm:integration'];

function checkAllowedPattern(pattern: string | undefined, value: string): void {
  if (pattern === undefined) return;
  let regex: RegExp;
  try {
    regex = new RegExp(pattern);
  } catch {
    throw new AwsServiceError('InvalidAllowedPatternException', `The allowed pattern is not valid: ${pattern}`);
  }
  if (!regex.test(value)) {
    throw new AwsServiceError(
      'ParameterPatternMismatchException',
      `Parameter value, cannot be validated against allowedPattern: ${pattern}`,
    );
  }
}

function keyIdFor(input: PutParameterInput, type: string, current?: ParameterVersion): string | undefined {
  if (type !== 'SecureString') {
    if (input.KeyId !== undefined) throw validationError('KeyId is only valid for SecureString parameters.');
    return undefined;
  }
  const inherited = current?.type === 'SecureString' ? current.keyId : undefined;
  return validateKeyId(input.KeyId ?? inherited ?? DEFAULT_SSM_KEY_ID);
}

/** Store the new version; returns what PutParameter answers: `{ Version, Tier }`. */
export function putParameter(
  store: ParameterStore,
  input: PutParameterInput,
  ctx: RequestContext,
  now = Date.now(),
): { Version: number; Tier: StoredTier } {
  const name = validateParameterName(input.Name, ctx.region, ctx.accountId);
  if (input.Overwrite && input.Tags !== undefined && input.Tags.length > 0) {
    throw validationError(
      "Invalid request: tags and overwrite can't be used together. To create a parameter with tags, please " +
        'remove overwrite flag. To update tags for an existing parameter, please use AddTagsToResource or ' +
        'RemoveTagsFromResource.',
    );
  }
  const existing = store.get(name);
  if (existing && !input.Overwrite) {
    throw new AwsServiceError(
      'ParameterAlreadyExists',
      'The parameter already exists. To overwrite this value, set the overwrite option in the request to true.',
    );
  }
  const current = existing ? latestVersion(existing) : undefined;
  const type = input.Type ?? current?.type;
  if (type === undefined) throw validationError('A parameter type is required when you create a parameter.');
  const dataType = input.DataType ?? current?.dataType ?? 'text';
  if (!DATA_TYPES.includes(dataType)) {
    throw validationError(`The following data type is not supported: ${dataType} (Data type names are all lowercase.)`);
  }
  const keyId = keyIdFor(input, type, current);
  const allowedPattern = input.AllowedPattern ?? current?.allowedPattern;
  checkAllowedPattern(allowedPattern, input.Value);
  const tier = resolveTier(input.Tier, input.Value, current?.tier);

  const parameter = existing ?? store.create(name, new Map((input.Tags ?? []).map((t) => [t.Key, t.Value])));
  const stored = store.appendVersion(parameter, {
    type,
    value: type === 'SecureString' ? sealSecureString(input.Value, ctx.region, keyId ?? DEFAULT_SSM_KEY_ID) : input.Value,
    keyId,
    // A new version keeps the description and pattern unless the request replaces them.
    description: input.Description ?? current?.description,
    allowedPattern,
    tier,
    dataType,
    lastModifiedDate: now,
  });
  return { Version: stored.version, Tier: stored.tier };
}
