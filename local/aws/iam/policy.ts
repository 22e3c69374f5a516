/**
 * IAM's evaluation of identity-based policies, for the part of the policy language the project's roles use.
 *
 * Why not `@cloud-copilot/iam-simulate` (the closure gate's evaluator)? It is AGPL-3.0 and this repository is
 * MPL-2.0: the local cloud runs in every developer's `npm start` and may be served to others, so it must not link
 * AGPL code at run time (the closure gate is a test and may). The features the packaged template uses are few and
 * documented ("Policy evaluation logic", "IAM JSON policy elements"): Allow and Deny, Action/NotAction and
 * Resource/NotResource with `*` and `?` wildcards, and a handful of condition operators. Anything else in a policy
 * (an operator, a set operator, a policy variable) is refused when the policy is loaded, never read as "allowed"
 * or "denied". The closure gate's requests are evaluated by both evaluators in a test, so the two cannot drift.
 *
 * @example
 * evaluatePolicies([{ Statement: [{ Effect: 'Allow', Action: 'ecs:List*', Resource: '*' }] }],
 *   { action: 'ecs:ListTasks', resource: '*', context: {} }); // 'Allowed'
 */

export type Effect = 'Allow' | 'Deny';
export type ConditionBlock = Record<string, Record<string, string | boolean | Array<string | boolean>>>;

/** One statement of a policy document, intrinsics already resolved. */
export interface PolicyStatement {
  Sid?: string;
  Effect: Effect;
  Action?: string | string[];
  NotAction?: string | string[];
  Resource?: string | string[];
  NotResource?: string | string[];
  Condition?: ConditionBlock;
}

export interface PolicyDocument {
  Version?: string;
  Statement: PolicyStatement | PolicyStatement[];
}

/** What a principal asks: an action (`ecs:CreateService`) on a resource ARN (or `*`), with its request context. */
export interface AuthorizationRequest {
  action: string;
  resource: string;
  /** Condition keys of the request (`ecs:cluster`, `iam:PassedToService`, `aws:ResourceTag/mesh`, ...). */
  context: Readonly<Record<string, string | readonly string[]>>;
}

export type Decision = 'Allowed' | 'ExplicitlyDenied' | 'ImplicitlyDenied';

/** A policy the evaluator cannot read faithfully (an unknown operator, a policy variable): never guessed at. */
export class UnsupportedPolicyError extends Error {
  override readonly name = 'UnsupportedPolicyError';
}

type Operator = (actual: string, wanted: string) => boolean;

/**
 * `*` matches any run of characters, `?` any one ("IAM JSON policy elements: Resource"); matching is
 * case-sensitive unless asked otherwise (actions are not: "action names are case insensitive").
 */
export function wildcardMatches(pattern: string, value: string, ignoreCase = false): boolean {
  if (!pattern.includes('*') && !pattern.includes('?')) return ignoreCase ? pattern.toLowerCase() === value.toLowerCase() : pattern === value;
  const regex = pattern.replace(/[.+^${}()|[\]\\]/g, '\\$&').replace(/\*/g, '.*').replace(/\?/g, '.');
  return new RegExp(`^${regex}$`, ignoreCase ? 'is' : 's').test(value);
}

/**
 * ARN matching of `ArnLike`/`ArnEquals` ("condition operators: ARN"): each of the six colon-separated parts is
 * matched on its own, with wildcards; the resource part may itself hold colons.
 */
function arnMatches(pattern: string, value: string): boolean {
  const split = (arn: string) => {
    const parts = arn.split(':');
    return parts.length < 6 ? undefined : [...parts.slice(0, 5), parts.slice(5).join(':')];
  };
  const p = split(pattern);
  const v = split(value);
  if (!p || !v) return false;
  return p.every((part, i) => wildcardMatches(part, v[i]));
}

const OPERATORS: Record<string, { test: Operator; negated: boolean }> = {
  StringEquals: { test: (a, w) => a === w, negated: false },
  StringNotEquals: { test: (a, w) => a === w, negated: true },
  StringEqualsIgnoreCase: { test: (a, w) => a.toLowerCase() === w.toLowerCase(), negated: false },
  StringNotEqualsIgnoreCase: { test: (a, w) => a.toLowerCase() === w.toLowerCase(), negated: true },
  StringLike: { test: (a, w) => wildcardMatches(w, a), negated: false },
  StringNotLike: { test: (a, w) => wildcardMatches(w, a), negated: true },
  // "ArnEquals and ArnLike behave identically" (IAM condition operators reference).
  ArnEquals: { test: (a, w) => arnMatches(w, a), negated: false },
  ArnLike: { test: (a, w) => arnMatches(w, a), negated: false },
  ArnNotEquals: { test: (a, w) => arnMatches(w, a), negated: true },
  ArnNotLike: { test: (a, w) => arnMatches(w, a), negated: true },
  Bool: { test: (a, w) => a.toLowerCase() === w.toLowerCase(), negated: false },
};

const list = <T>(value: T | readonly T[] | undefined): T[] => (value === undefined ? [] : Array.isArray(value) ? [...(value as T[])] : [value as T]);

function contextValue(context: AuthorizationRequest['context'], key: string): string[] | undefined {
  // Condition keys are case-insensitive ("IAM JSON policy elements: Condition"); tag values are not.
  const lower = key.toLowerCase();
  for (const [name, value] of Object.entries(context)) if (name.toLowerCase() === lower) return list(value as string | string[]);
  return undefined;
}

/** One operator of a Condition block against the request; all its keys must match (AND), any value of a key (OR). */
function conditionMatches(operatorName: string, keys: Record<string, unknown>, context: AuthorizationRequest['context']): boolean {
  if (operatorName === 'Null') {
    // Null: true → the key is absent, false → present.
    return Object.entries(keys).every(([key, wanted]) => list(wanted as string).some((w) => String(w).toLowerCase() === String(contextValue(context, key) === undefined)));
  }
  const ifExists = operatorName.endsWith('IfExists');
  const base = ifExists ? operatorName.slice(0, -'IfExists'.length) : operatorName;
  const operator = OPERATORS[base];
  if (!operator) throw new UnsupportedPolicyError(`the local cloud does not evaluate the condition operator ${operatorName}`);
  return Object.entries(keys).every(([key, wanted]) => {
    const actual = contextValue(context, key);
    // A key the request does not carry: ...IfExists matches, a negated operator matches, any other does not.
    if (actual === undefined) return ifExists || operator.negated;
    const values = list(wanted as string).map(String);
    const any = actual.some((a) => values.some((w) => operator.test(a, w)));
    return operator.negated ? !any : any;
  });
}

function statementMatches(statement: PolicyStatement, request: AuthorizationRequest): boolean {
  const action = statement.Action !== undefined ? list(statement.Action).some((a) => wildcardMatches(a, request.action, true)) : !list(statement.NotAction).some((a) => wildcardMatches(a, request.action, true));
  if (!action) return false;
  const resource =
    statement.Resource !== undefined ? list(statement.Resource).some((r) => wildcardMatches(r, request.resource)) : !list(statement.NotResource).some((r) => wildcardMatches(r, request.resource));
  if (!resource) return false;
  return Object.entries(statement.Condition ?? {}).every(([operator, keys]) => conditionMatches(operator, keys, request.context));
}

/**
 * Checks that a document uses only what this evaluator reads; throws `UnsupportedPolicyError` naming what it
 * does not (so a role the local cloud cannot evaluate fails at start, not on some later call).
 */
export function checkPolicySupported(document: PolicyDocument, where: string): void {
  for (const statement of list(document.Statement)) {
    if (statement.Effect !== 'Allow' && statement.Effect !== 'Deny') throw new UnsupportedPolicyError(`${where}: Effect ${String(statement.Effect)}`);
    if ((statement.Action === undefined) === (statement.NotAction === undefined)) throw new UnsupportedPolicyError(`${where}: a statement needs exactly one of Action and NotAction`);
    if ((statement.Resource === undefined) === (statement.NotResource === undefined)) throw new UnsupportedPolicyError(`${where}: a statement needs exactly one of Resource and NotResource`);
    for (const value of [...list(statement.Resource), ...list(statement.NotResource)]) {
      if (typeof value !== 'string') throw new UnsupportedPolicyError(`${where}: an unresolved Resource ${JSON.stringify(value)}`);
      if (value.includes('${')) throw new UnsupportedPolicyError(`${where}: policy variables (${value}) are not evaluated locally`);
    }
    for (const operator of Object.keys(statement.Condition ?? {})) {
      const base = operator.replace(/IfExists$/, '');
      if (operator !== 'Null' && !OPERATORS[base]) throw new UnsupportedPolicyError(`${where}: the condition operator ${operator} is not evaluated locally`);
    }
  }
}

/**
 * IAM's decision for one principal's identity policies: an explicit Deny that matches wins, else an Allow must
 * match, else the request is implicitly denied ("Policy evaluation logic", same-account requests without
 * resource-based policies, SCPs or permission boundaries).
 */
export function evaluatePolicies(policies: readonly PolicyDocument[], request: AuthorizationRequest): Decision {
  const statements = policies.flatMap((policy) => list(policy.Statement));
  if (statements.some((s) => s.Effect === 'Deny' && statementMatches(s, request))) return 'ExplicitlyDenied';
  return statements.some((s) => s.Effect === 'Allow' && statementMatches(s, request)) ? 'Allowed' : 'ImplicitlyDenied';
}
