/**
 * The packaged CloudFormation template, read as AWS would deploy it: intrinsic functions resolved for one account
 * and region, each function's environment and role policies, the state machines' definitions and roles.
 */

import { MANAGED_POLICIES } from '@consul-mesh/local-cloud';

export const ACCOUNT = '123456789012';
export const REGION = 'us-east-1';
export const PARTITION = 'aws';

export interface CfnResource {
  Type: string;
  Properties?: Record<string, unknown>;
}
export interface Template {
  Resources: Record<string, CfnResource>;
}

export interface PolicyDocument {
  Version?: string;
  Statement: unknown[];
}
export interface NamedPolicy {
  name: string;
  policy: PolicyDocument;
}

/** Resolves the intrinsic functions the template uses; anything else throws, so a gap is never read as "allowed". */
export class Resolver {
  constructor(private readonly template: Template) {}

  resolve(value: unknown): unknown {
    if (Array.isArray(value)) return value.map((v) => this.resolve(v));
    if (value === null || typeof value !== 'object') return value;
    const entries = Object.entries(value as Record<string, unknown>);
    if (entries.length === 1 && (entries[0][0] === 'Ref' || entries[0][0].startsWith('Fn::'))) return this.intrinsic(entries[0][0], entries[0][1]);
    return Object.fromEntries(entries.map(([k, v]) => [k, this.resolve(v)]));
  }

  string(value: unknown): string {
    const resolved = this.resolve(value);
    if (typeof resolved !== 'string') throw new Error(`expected a string, got ${JSON.stringify(resolved)}`);
    return resolved;
  }

  private intrinsic(name: string, arg: unknown): unknown {
    switch (name) {
      case 'Ref':
        return this.ref(String(arg));
      case 'Fn::GetAtt': {
        const [id, attribute] = Array.isArray(arg) ? (arg as string[]) : String(arg).split('.');
        return this.getAtt(id, attribute);
      }
      case 'Fn::Join': {
        const [separator, parts] = arg as [string, unknown[]];
        return (this.resolve(parts) as unknown[]).map(String).join(separator);
      }
      case 'Fn::Sub': {
        const [text, vars] = Array.isArray(arg) ? (arg as [string, Record<string, unknown>]) : [arg as string, {}];
        return text.replace(/\$\{([^}!]+)\}/g, (_, key: string) => {
          if (key in vars) return this.string(vars[key]);
          return key.includes('.') ? this.string(this.getAtt(...(key.split('.') as [string, string]))) : this.string(this.ref(key));
        });
      }
      default:
        throw new Error(`the closure check cannot resolve ${name}`);
    }
  }

  private ref(id: string): string {
    if (id === 'AWS::Region') return REGION;
    if (id === 'AWS::AccountId') return ACCOUNT;
    if (id === 'AWS::Partition') return PARTITION;
    if (id === 'AWS::URLSuffix') return 'amazonaws.com';
    const r = this.resource(id);
    const p = r.Properties ?? {};
    switch (r.Type) {
      case 'AWS::StepFunctions::StateMachine':
        return `arn:${PARTITION}:states:${REGION}:${ACCOUNT}:stateMachine:${this.string(p.StateMachineName)}`;
      case 'AWS::Lambda::Function':
        return this.string(p.FunctionName);
      case 'AWS::IAM::Role':
        return p.RoleName ? this.string(p.RoleName) : id;
      case 'AWS::CodeBuild::Project':
        return this.string(p.Name);
      case 'AWS::SQS::Queue':
        return `https://sqs.${REGION}.amazonaws.com/${ACCOUNT}/${this.string(p.QueueName)}`;
      case 'AWS::Logs::LogGroup':
        return this.string(p.LogGroupName);
      case 'AWS::S3::Bucket':
        // CloudFormation names an unnamed bucket `<stack>-<logical id>-<suffix>`, in lower case.
        return p.BucketName ? this.string(p.BucketName) : `consul-mesh-prod-${id.toLowerCase()}-0123abcd`;
      default:
        return `${id}-id`;
    }
  }

  private getAtt(id: string, attribute: string): string {
    const r = this.resource(id);
    if (attribute !== 'Arn') throw new Error(`the closure check cannot resolve ${id}.${attribute}`);
    switch (r.Type) {
      case 'AWS::IAM::Role':
        return `arn:${PARTITION}:iam::${ACCOUNT}:role/${this.ref(id)}`;
      case 'AWS::Lambda::Function':
        return `arn:${PARTITION}:lambda:${REGION}:${ACCOUNT}:function:${this.ref(id)}`;
      case 'AWS::SQS::Queue':
        return `arn:${PARTITION}:sqs:${REGION}:${ACCOUNT}:${this.string(r.Properties?.QueueName)}`;
      case 'AWS::CodeBuild::Project':
        return `arn:${PARTITION}:codebuild:${REGION}:${ACCOUNT}:project/${this.ref(id)}`;
      case 'AWS::Logs::LogGroup':
        return `arn:${PARTITION}:logs:${REGION}:${ACCOUNT}:log-group:${this.ref(id)}:*`;
      case 'AWS::ServiceDiscovery::Service':
        return `arn:${PARTITION}:servicediscovery:${REGION}:${ACCOUNT}:service/srv-${id}`;
      case 'AWS::StepFunctions::StateMachine':
        return this.ref(id);
      case 'AWS::S3::Bucket':
        return `arn:${PARTITION}:s3:::${this.ref(id)}`;
      default:
        throw new Error(`the closure check cannot resolve ${id}.Arn (${r.Type})`);
    }
  }

  resource(id: string): CfnResource {
    const r = this.template.Resources[id];
    if (!r) throw new Error(`the template has no resource ${id}`);
    return r;
  }

  /** The identity policies of a role: its inline policies and the AWS managed policies it attaches. */
  rolePolicies(roleId: string): NamedPolicy[] {
    const role = this.resource(roleId);
    if (role.Type !== 'AWS::IAM::Role') throw new Error(`${roleId} is not an IAM role`);
    const p = role.Properties ?? {};
    const inline = ((p.Policies as Array<{ PolicyName: unknown; PolicyDocument: unknown }> | undefined) ?? []).map((policy) => ({
      name: this.string(policy.PolicyName),
      policy: this.resolve(policy.PolicyDocument) as PolicyDocument,
    }));
    const managed = ((p.ManagedPolicyArns as unknown[] | undefined) ?? []).map((arn) => {
      const name = this.string(arn);
      const policy = MANAGED_POLICIES[name];
      if (!policy) throw new Error(`${roleId} attaches ${name}, whose document the closure check does not know`);
      return { name, policy: { ...policy, Statement: [policy.Statement].flat() } };
    });
    return [...inline, ...managed];
  }

  /** The logical id of the role a `Fn::GetAtt [Role, Arn]` property names. */
  roleId(value: unknown): string {
    const getAtt = (value as { 'Fn::GetAtt'?: [string, string] })['Fn::GetAtt'];
    if (!getAtt || getAtt[1] !== 'Arn') throw new Error(`expected Fn::GetAtt [<role>, Arn], got ${JSON.stringify(value)}`);
    return getAtt[0];
  }

  /** The logical id of the role whose resolved ARN is `arn`. */
  roleIdByArn(arn: string): string {
    for (const [id, r] of Object.entries(this.template.Resources)) {
      if (r.Type === 'AWS::IAM::Role' && this.getAtt(id, 'Arn') === arn) return id;
    }
    throw new Error(`no role of the template has the ARN ${arn}`);
  }

  ofType(type: string): Array<[string, CfnResource]> {
    return Object.entries(this.template.Resources).filter(([, r]) => r.Type === type);
  }
}
