/**
 * Invalid event patterns are rejected with `InvalidEventPatternException` and AWS's reason.
 * The reasons are those AWS returns (EventBridge's matcher is Event Ruler; its JSON rule compiler words them),
 * e.g. `Event pattern is not valid. Reason: "int" must be an object or an array`.
 */
import { compileEventPattern, InvalidEventPatternError } from '../../../../local/aws/events/pattern';

function reasonFor(pattern: string): string {
  try {
    compileEventPattern(pattern);
  } catch (error) {
    if (error instanceof InvalidEventPatternError) return error.reason;
    throw error;
  }
  throw new Error(`pattern was accepted: ${pattern}`);
}

describe('event pattern validation', () => {
  it('names the exception and prefixes the message as AWS does', () => {
    let caught: unknown;
    try {
      compileEventPattern('{"int": 42}');
    } catch (error) {
      caught = error;
    }
    expect(caught).toBeInstanceOf(InvalidEventPatternError);
    expect((caught as Error).name).toBe('InvalidEventPatternException');
    expect((caught as Error).message).toBe('Event pattern is not valid. Reason: "int" must be an object or an array');
  });

  it.each([
    ['leaf value not in an array (number)', '{"int": 42}', '"int" must be an object or an array'],
    ['leaf value not in an array (string)', '{"string": "my-value"}', '"string" must be an object or an array'],
    ['leaf value null', '{"detail": {"state": null}}', '"state" must be an object or an array'],
    ['an empty array', '{"resources": []}', 'Empty arrays are not allowed'],
    ['an empty pattern', '{}', 'Empty objects are not allowed'],
    ['an empty nested object', '{"detail": {}}', 'Empty objects are not allowed'],
    ['a pattern that is an array', '["not", "a", "dict"]', 'Filter is not an object'],
    ['a nested array as a value', '{"source": [["aws.ec2"]]}', 'Match value must be String, number, true, false, or null'],
    ['an empty match expression', '{"source": [{}]}', 'Match expression name not found'],
    ['an unknown operator', '{"detail": {"equal": [{"NUMERIC": ["=", 5]}]}}', 'Unrecognized match type NUMERIC'],
    ['operators are case-sensitive', '{"my_key": [{"EXISTS": true}]}', 'Unrecognized match type EXISTS'],
    ['two keys in one match expression', '{"source": [{"prefix": "a", "suffix": "b"}]}', 'Only one key allowed in match expression'],
    ['prefix with a list', '{"time": [{"prefix": ["2022-07-13"]}]}', 'prefix match pattern must be a string'],
    ['prefix with a number', '{"time": [{"prefix": 123}]}', 'prefix match pattern must be a string'],
    ['prefix with another operator inside', '{"a": [{"prefix": {"wildcard": "x*"}}]}', 'Unsupported prefix pattern: wildcard'],
    ['suffix with a number', '{"FileName": [{"suffix": 123}]}', 'suffix match pattern must be a string'],
    ['suffix with a list', '{"FileName": [{"suffix": [".png"]}]}', 'suffix match pattern must be a string'],
    ['equals-ignore-case with a list', '{"detail-type": [{"equals-ignore-case": ["ec2"]}]}', 'equals-ignore-case match pattern must be a string'],
    ['equals-ignore-case with an object', '{"detail-type": [{"equals-ignore-case": {"prefix": "ec2"}}]}', 'equals-ignore-case match pattern must be a string'],
    ['wildcard with a number', '{"EventBusArn": [{"wildcard": 123}]}', 'wildcard match pattern must be a string'],
    ['wildcard with consecutive **', '{"EventBusArn": [{"wildcard": "arn:aws:events:us-east-1:**:event-bus/*"}]}', 'Consecutive wildcard characters at pos 26'],
    ['wildcard with an invalid escape', '{"a": [{"wildcard": "a\\\\b"}]}', 'Invalid escape character at pos 2'],
    ['wildcard too complex', '{"EventBusArn": [{"wildcard": "*:*:*:*:*:event-bus/*"}]}', 'Rule is too complex - try using fewer wildcard characters or fewer repeating character sequences after a wildcard character'],
    ['exists that is not a boolean', '{"a": [{"exists": "yes"}]}', 'exists match pattern must be either true or false.'],
    ['numeric that is not an array', '{"a": [{"numeric": 5}]}', 'Value of numeric must be an array.'],
    ['numeric with an empty array', '{"a": [{"numeric": []}]}', 'Invalid member in numeric match: ]'],
    ['numeric starting with a number', '{"a": [{"numeric": [5, "<"]}]}', 'Invalid member in numeric match: 5'],
    ['numeric with an unknown operator', '{"a": [{"numeric": ["!=", 5]}]}', 'Unrecognized numeric range operator: !='],
    ['numeric equals without a number', '{"a": [{"numeric": ["=", "5"]}]}', 'Value of equals must be numeric'],
    ['numeric range missing its upper value', '{"detail": {"c-count": [{"numeric": [">", 0, "<"]}]}}', 'Value of < must be numeric'],
    ['numeric range with two lower bounds', '{"detail": {"c-count": [{"numeric": [">", 0, ">", 0]}]}}', 'Bad numeric range operator: >'],
    ['numeric range with a number where an operator goes', '{"a": [{"numeric": [">", 0, 5]}]}', 'Bad value in numeric range: 5'],
    ['numeric upper bound followed by more', '{"a": [{"numeric": ["<", 5, ">", 0]}]}', 'Too many elements in numeric expression'],
    ['numeric range with too many terms', '{"a": [{"numeric": [">", 0, "<", 5, "<", 6]}]}', 'Too many terms in numeric range expression'],
    ['numeric range upside down', '{"a": [{"numeric": [">", 10, "<", 5]}]}', 'Bottom must be less than top'],
    ['numeric value out of range', '{"a": [{"numeric": [">", 6e9]}]}', 'Value must be between -5.0E9 and 5.0E9, inclusive'],
    ['anything-but with a boolean', '{"a": [{"anything-but": true}]}', 'Value of anything-but must be an array or single string/number value.'],
    ['anything-but with a mixed list', '{"a": [{"anything-but": ["x", 1]}]}', 'Inside anything but list, either all values are number or string, mixed type is not supported'],
    ['anything-but with null in the list', '{"a": [{"anything-but": ["x", null]}]}', 'Inside anything but list, start|null|boolean is not supported.'],
    ['anything-but with an empty object', '{"a": [{"anything-but": {}}]}', 'Anything-But expression name not found'],
    ['anything-but with an unsupported operator', '{"a": [{"anything-but": {"numeric": [">", 1]}}]}', 'Unsupported anything-but pattern: numeric'],
    ['anything-but prefix with a number', '{"detail": {"state": [{"anything-but": {"prefix": 123}}]}}', 'prefix/suffix match pattern must be a string'],
    ['anything-but prefix list with a number', '{"detail": {"state": [{"anything-but": {"prefix": [123, "test"]}}]}}', 'prefix/suffix match pattern must be a string'],
    ['anything-but empty prefix', '{"a": [{"anything-but": {"prefix": ""}}]}', 'Null prefix/suffix not allowed'],
    ['anything-but prefix ignoring case', '{"a": [{"anything-but": {"prefix": {"equals-ignore-case": "file"}}}]}', 'Value of anything-but must be an array or single string/number value.'],
    ['anything-but suffix with a number', '{"detail": {"FileName": [{"anything-but": {"suffix": 123}}]}}', 'prefix/suffix match pattern must be a string'],
    ['anything-but equals-ignore-case with a number', '{"detail": {"state": [{"anything-but": {"equals-ignore-case": 123}}]}}', 'Inside anything-but/equals-ignore-case list, number|start|null|boolean is not supported.'],
    ['anything-but wildcard with a number', '{"detail": {"FilePath": [{"anything-but": {"wildcard": 123}}]}}', 'wildcard match pattern must be a string'],
    ['anything-but wildcard list with a number', '{"detail": {"state": [{"anything-but": {"wildcard": [123, "*/dir/*"]}}]}}', 'wildcard match pattern must be a string'],
    ['cidr that is not a string', '{"detail": {"sourceIPAddress": [{"cidr": ["bad-type"]}]}}', 'prefix match pattern must be a string'],
    ['cidr without a slash', '{"a": [{"cidr": "10.0.0.0"}]}', "Malformed CIDR, one '/' required"],
    ['cidr with non-integer mask bits', '{"detail": {"sourceIPAddress": [{"cidr": "bad-/64filter"}]}}', 'Malformed CIDR, mask bits must be an integer'],
    ['cidr with a nonstandard IPv4 address', '{"a": [{"cidr": "xx.11.xx/24"}]}', 'Nonstandard IP address: xx.11.xx'],
    ['cidr with a nonstandard IPv6 address', '{"a": [{"cidr": "xxxx:db8:1234:1a00::/64"}]}', 'Nonstandard IP address: xxxx:db8:1234:1a00::'],
    ['cidr with an impossible IPv4 address', '{"a": [{"cidr": "300.0.0.0/8"}]}', 'Invalid IP address: 300.0.0.0'],
    ['cidr with a negative mask', '{"a": [{"cidr": "10.0.0.0/-1"}]}', 'Malformed CIDR, mask bits must not be negative'],
    ['cidr IPv4 mask too large', '{"a": [{"cidr": "10.0.0.0/33"}]}', 'IPv4 mask bits must be < 32'],
    ['$or that is not an array', '{"$or": {"a": ["x"]}}', 'It must be an Array followed with $or.'],
    ['$or with one branch', '{"$or": [{"a": ["x"]}]}', 'There must have at least 2 Objects in $or relationship.'],
    ['$or with a non-object branch', '{"$or": [{"a": ["x"]}, ["b"]]}', 'Only JSON object is allowed in array of $or relationship.'],
    ['$or branch using an operator name as field', '{"$or": [{"numeric": [123]}, {"prefix": ["abc"]}]}', 'numeric is Ruler reserved fieldName which cannot be used inside $or.'],
  ])('rejects %s', (_label, pattern, reason) => {
    expect(reasonFor(pattern)).toBe(reason);
  });

  it('rejects text that is not JSON', () => {
    expect(() => compileEventPattern("{'bad': 'quotation'}")).toThrow(InvalidEventPatternError);
  });

  it.each([
    ['a cidr written from a host address', '{"a": [{"cidr": "10.0.0.5/24"}]}'],
    ['an IPv6 /127 cidr', '{"a": [{"cidr": "2001:db8::/127"}]}'],
    ['an anything-but list of wildcards', '{"a": [{"anything-but": {"wildcard": ["*/lib/*", "*/bin/*"]}}]}'],
    ['numeric bounds at the limits', '{"a": [{"numeric": [">=", -5e9, "<=", 5e9]}]}'],
    ['"$or" branches that use ordinary names', '{"$or": [{"state": ["a"]}, {"detail": {"x": [1]}}]}'],
  ])('accepts %s', (_label, pattern) => {
    expect(() => compileEventPattern(pattern)).not.toThrow();
  });
});
