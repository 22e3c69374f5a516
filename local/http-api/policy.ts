/**
 * The IAM policy a Lambda authorizer returns when simple responses are off: the request is allowed when an
 * `Allow` statement for `execute-api:Invoke` covers the route ARN and no `Deny` statement does (an explicit
 * deny wins, as in IAM). `*` and `?` are wildcards in actions and resources.
 */

interface Statement {
  Effect?: unknown;
  Action?: unknown;
  Resource?: unknown;
}

const list = (value: unknown): string[] => (Array.isArray(value) ? value.map(String) : typeof value === 'string' ? [value] : []);

function wildcard(pattern: string, text: string): boolean {
  const regex = new RegExp(`^${pattern.replace(/[.+^${}()|[\]\\]/g, '\\$&').replace(/\*/g, '.*').replace(/\?/g, '.')}$`);
  return regex.test(text);
}

function covers(statement: Statement, arn: string): boolean {
  const actions = list(statement.Action);
  const resources = list(statement.Resource);
  return actions.some((action) => wildcard(action, 'execute-api:Invoke')) && resources.some((resource) => wildcard(resource, arn));
}

/** undefined when the document is not a policy at all (API Gateway then answers 500). */
export function policyAllows(policyDocument: unknown, arn: string): boolean | undefined {
  if (policyDocument === null || typeof policyDocument !== 'object') return undefined;
  const statements = (policyDocument as { Statement?: unknown }).Statement;
  const all = (Array.isArray(statements) ? statements : statements ? [statements] : []) as Statement[];
  if (all.length === 0) return undefined;
  if (all.some((statement) => statement.Effect === 'Deny' && covers(statement, arn))) return false;
  return all.some((statement) => statement.Effect === 'Allow' && covers(statement, arn));
}
