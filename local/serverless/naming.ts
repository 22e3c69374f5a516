/**
 * The names the Serverless Framework derives from `serverless.yml` keys, reproduced so the local cloud finds the
 * same resources a deployed stack has (osls `lib/plugins/aws/lib/naming.js`, serverless-step-functions
 * `lib/naming.js`). ASL files and environments refer to functions and state machines by these names.
 */

/** `getNormalizedResourceName`: `-` → `Dash`, `_` → `Underscore`, first letter upper-cased. */
export function normalizeResourceName(name: string): string {
  const replaced = name.replace(/-/g, 'Dash').replace(/_/g, 'Underscore');
  return replaced.charAt(0).toUpperCase() + replaced.slice(1);
}

/** CloudFormation logical id of a function: `work-items` → `WorkDashitemsLambdaFunction`. */
export function functionLogicalId(functionKey: string): string {
  return `${normalizeResourceName(functionKey)}LambdaFunction`;
}

/** The function name Serverless deploys when `name` is not set: `<service>-<stage>-<key>`. */
export function defaultFunctionName(service: string, stage: string, functionKey: string): string {
  return `${service}-${stage}-${functionKey}`;
}

/**
 * Logical id of a state machine (serverless-step-functions): its `id` or `name` normalised, else
 * `<Key>StepFunctionsStateMachine`.
 */
export function stateMachineLogicalId(key: string, machine: { id?: string; name?: string }): string {
  const custom = machine.id ?? machine.name;
  return custom ? normalizeResourceName(custom) : `${normalizeResourceName(key)}StepFunctionsStateMachine`;
}

/** The CloudFormation stack Serverless deploys: `<service>-<stage>` (what `AWS::StackName` resolves to). */
export function stackName(service: string, stage: string): string {
  return `${service}-${stage}`;
}
