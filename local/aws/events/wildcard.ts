/**
 * The `wildcard` operator of event patterns.
 *
 * AWS's rules (Event Ruler's wildcard parser): `*` matches zero or more characters; two consecutive `*` are
 * rejected; `\*` is a literal asterisk and `\\` a literal backslash; a backslash before anything else is rejected.
 * Positions in the messages count from 1 (AWS counts the opening quote of the JSON string as position 0).
 */

/**
 * AWS rejects wildcard patterns whose matching would be too costly ("Rule is too complex"). Its evaluator is not
 * public; this local stand-in approximates it by the number of wildcards in one value.
 */
const MAX_WILDCARDS = 5;

/** Compiles a wildcard pattern to an anchored RegExp; throws an `Error` whose message is AWS's reason. */
export function compileWildcard(pattern: string): RegExp {
  let source = '';
  let wildcards = 0;
  for (let i = 0; i < pattern.length; i++) {
    const ch = pattern[i];
    if (ch === '*') {
      if (pattern[i + 1] === '*') throw new Error(`Consecutive wildcard characters at pos ${i + 1}`);
      wildcards++;
      source += '[\\s\\S]*';
    } else if (ch === '\\') {
      const next = pattern[i + 1];
      if (next !== '*' && next !== '\\') throw new Error(`Invalid escape character at pos ${i + 1}`);
      source += escapeRegExp(next);
      i++;
    } else {
      source += escapeRegExp(ch);
    }
  }
  if (wildcards > MAX_WILDCARDS) {
    throw new Error(
      'Rule is too complex - try using fewer wildcard characters or fewer repeating character sequences after a wildcard character',
    );
  }
  return new RegExp(`^${source}$`);
}

function escapeRegExp(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&');
}
