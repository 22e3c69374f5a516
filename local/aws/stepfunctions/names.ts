/**
 * State machine and execution names (StartExecution/CreateStateMachine API reference): 1–80 characters, and none
 * of white space, brackets `< > { } [ ]`, wildcards `? *`, the characters `" # % \ ^ | ~ \` $ & , ; : /`, or
 * control characters (U+0000–001F, U+007F–009F).
 */
import { AwsServiceError } from '../protocol';
import { validationException, violationMessage } from '../validation';

const FORBIDDEN = /[\s<>{}[\]?*"#%\\^|~`$&,;:/]/;

function hasControlCharacter(text: string): boolean {
  return [...text].some((char) => {
    const code = char.codePointAt(0) ?? 0;
    return code <= 0x1f || (code >= 0x7f && code <= 0x9f);
  });
}
export const MAX_NAME_LENGTH = 80;

/** Throws `ValidationException` (length, as the API's constraint check) or `InvalidName` (characters). */
export function validateName(name: unknown, member: 'name'): string {
  if (typeof name !== 'string' || name.length === 0) {
    throw validationException([{ member, value: name, constraint: 'Member must have length greater than or equal to 1', sensitive: true }]);
  }
  if (name.length > MAX_NAME_LENGTH) {
    throw new AwsServiceError(
      'ValidationException',
      violationMessage([{ member, value: name, constraint: `Member must have length less than or equal to ${MAX_NAME_LENGTH}` }]),
    );
  }
  if (FORBIDDEN.test(name) || hasControlCharacter(name)) throw new AwsServiceError('InvalidName', `Invalid Name: '${name}'`);
  return name;
}
