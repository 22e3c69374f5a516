/**
 * The principals of the packaged CloudFormation template: each IAM role with its identity policies, and which role
 * each function, state machine and build project runs with. Read from the template `serverless package` writes
 * (per-function roles exist only there: serverless-iam-roles-per-function creates them while packaging), so a new
 * function, role or state machine is covered the moment it is in serverless.yml.
 */
import { resolveIntrinsics, resourceTypesOf, type IntrinsicContext, type LocalResource } from '../../serverless/intrinsics';
import { MANAGED_POLICIES } from './managed-policies';
import { checkPolicySupported, type PolicyDocument } from './policy';

export interface CfnResource {
  Type: string;
  Properties?: Record<string, unknown>;
}
export interface CfnTemplate {
  Resources: Record<string, CfnResource>;
}

export interface TemplateRoles {
  /** Role ARN → its identity policies (inline and managed). */
  readonly policies: ReadonlyMap<string, PolicyDocument[]>;
  /** Function name → role ARN. */
  readonly functions: ReadonlyMap<string, string>;
  /** State machine name → role ARN. */
  readonly stateMachines: ReadonlyMap<string, string>;
  /** CodeBuild project name → service role ARN. */
  readonly buildProjects: ReadonlyMap<string, string>;
}

export interface TemplateScope {
  region: string;
  accountId: string;
  stackName: string;
  /** The local cloud's names of the resources that are not roles, functions, state machines or projects. */
  resolveExternal: (logicalId: string, attribute?: string, type?: string) => string | undefined;
  /** A role without `RoleName` (CloudFormation would generate one): the local cloud's name for it. */
  roleName: (logicalId: string) => string;
}

/** The resources policies reference, under the names the local cloud gives them. */
function localResources(template: CfnTemplate, scope: TemplateScope): Map<string, LocalResource> {
  const resources = new Map<string, LocalResource>();
  const base: IntrinsicContext = { region: scope.region, accountId: scope.accountId, stackName: scope.stackName, resources, resourceTypes: resourceTypesOf(template.Resources), resolveExternal: scope.resolveExternal };
  const name = (value: unknown, id: string) => String(resolveIntrinsics(value, base, `Resources.${id}`));
  for (const [id, resource] of Object.entries(template.Resources)) {
    const p = resource.Properties ?? {};
    switch (resource.Type) {
      case 'AWS::IAM::Role': {
        const roleName = p.RoleName === undefined ? scope.roleName(id) : name(p.RoleName, id);
        const path = typeof p.Path === 'string' ? p.Path : '/';
        resources.set(id, { ref: roleName, attributes: { Arn: `arn:aws:iam::${scope.accountId}:role${path}${roleName}`, RoleId: `AROA${id.toUpperCase().slice(0, 17)}` } });
        break;
      }
      case 'AWS::Lambda::Function': {
        const fn = name(p.FunctionName, id);
        resources.set(id, { ref: fn, attributes: { Arn: `arn:aws:lambda:${scope.region}:${scope.accountId}:function:${fn}` } });
        break;
      }
      case 'AWS::StepFunctions::StateMachine': {
        const machine = name(p.StateMachineName, id);
        const arn = `arn:aws:states:${scope.region}:${scope.accountId}:stateMachine:${machine}`;
        resources.set(id, { ref: arn, attributes: { Arn: arn, Name: machine } });
        break;
      }
      case 'AWS::CodeBuild::Project': {
        const project = name(p.Name, id);
        resources.set(id, { ref: project, attributes: { Arn: `arn:aws:codebuild:${scope.region}:${scope.accountId}:project/${project}` } });
        break;
      }
      case 'AWS::Logs::LogGroup': {
        const group = name(p.LogGroupName, id);
        // A log group's Arn attribute ends in `:*` (CloudFormation's AWS::Logs::LogGroup return values).
        resources.set(id, { ref: group, attributes: { Arn: `arn:aws:logs:${scope.region}:${scope.accountId}:log-group:${group}:*` } });
        break;
      }
    }
  }
  return resources;
}

/**
 * Every role of the template with its policies resolved for the local account and region, and the role of each
 * function, state machine and build project. Throws (naming the role) for a managed policy whose document is not
 * known or a policy feature the local evaluator does not read.
 */
export function readTemplateRoles(template: CfnTemplate, scope: TemplateScope): TemplateRoles {
  const resources = localResources(template, scope);
  const ctx: IntrinsicContext = { region: scope.region, accountId: scope.accountId, stackName: scope.stackName, resources, resourceTypes: resourceTypesOf(template.Resources), resolveExternal: scope.resolveExternal };
  const arnOf = (value: unknown, where: string) => String(resolveIntrinsics(value, ctx, where));
  const policies = new Map<string, PolicyDocument[]>();
  const functions = new Map<string, string>();
  const stateMachines = new Map<string, string>();
  const buildProjects = new Map<string, string>();
  for (const [id, resource] of Object.entries(template.Resources)) {
    const p = resource.Properties ?? {};
    const where = `Resources.${id}`;
    switch (resource.Type) {
      case 'AWS::IAM::Role': {
        const documents: PolicyDocument[] = [];
        for (const [index, policy] of ((p.Policies as Array<{ PolicyDocument: unknown }> | undefined) ?? []).entries()) {
          const document = resolveIntrinsics(policy.PolicyDocument, ctx, `${where}.Policies[${index}]`) as unknown as PolicyDocument;
          checkPolicySupported(document, `${where}.Policies[${index}]`);
          documents.push(document);
        }
        for (const managed of (p.ManagedPolicyArns as unknown[] | undefined) ?? []) {
          const arn = arnOf(managed, `${where}.ManagedPolicyArns`);
          const document = MANAGED_POLICIES[arn];
          if (!document) throw new Error(`${where} attaches ${arn}, whose document the local cloud does not know (local/aws/iam/managed-policies.ts)`);
          documents.push(document);
        }
        policies.set(resources.get(id)?.attributes.Arn ?? id, documents);
        break;
      }
      case 'AWS::Lambda::Function':
        functions.set(resources.get(id)?.ref ?? id, arnOf(p.Role, `${where}.Role`));
        break;
      case 'AWS::StepFunctions::StateMachine':
        stateMachines.set(resources.get(id)?.attributes.Name ?? id, arnOf(p.RoleArn, `${where}.RoleArn`));
        break;
      case 'AWS::CodeBuild::Project':
        buildProjects.set(resources.get(id)?.ref ?? id, arnOf(p.ServiceRole, `${where}.ServiceRole`));
        break;
    }
  }
  return { policies, functions, stateMachines, buildProjects };
}
