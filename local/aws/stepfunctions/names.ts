/**
 * State machine and execution names (StartExecution/CreateStateMachine API reference): 1–80 characters, and none
 * of white space, brackets `< > { } [ ]`, wildcards `? *`, the characters `" # % \ ^ | ~ \` $ & , ; : /`, or
 * control characters (U+0000–001F, U+007F–009F).
 */
import { AwsServiceError } from '../protocol';

const FORBIDDEN = /[\s<>{}[\]?*"#%\\^|~`$&,;:/]/;

function hasControlCharacter(text: string): boolean {
  return [...text].some((char) => {
    const code = char.codePointAt(0) ?? 0;
    return code <= 0x1f || (code >= 0x7f && code <= 0x9f);
  });
}
/** Throws `InvalidName` for a name with a character AWS refuses (its length is the schema's check). */
export function validateName(name: string): string {
  if (FORBIDDEN.test(name) || hasControlCharacter(name)) throw new AwsServiceError('InvalidName', `Invalid Name: '${name}'`);
  return name;
}
