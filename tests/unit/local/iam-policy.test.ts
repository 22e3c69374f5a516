import { checkPolicySupported, evaluatePolicies, UnsupportedPolicyError, type PolicyDocument } from '../../../local/aws/iam/policy';

const request = (action: string, resource: string, context: Record<string, string | string[]> = {}) => ({ action, resource, context });

describe('IAM policy evaluation (identity policies, the features the packaged template uses)', () => {
  const policies: PolicyDocument[] = [
    {
      Statement: [
        { Effect: 'Allow', Action: ['ecs:Describe*', 'ecs:CreateService'], Resource: 'arn:aws:ecs:us-east-1:*:service/*/*' },
        { Effect: 'Allow', Action: 'ecs:TagResource', Resource: 'arn:aws:ecs:us-east-1:*:task-definition/mesh-*:*', Condition: { StringEquals: { 'ecs:CreateAction': ['RegisterTaskDefinition'] } } },
        { Effect: 'Allow', Action: 'iam:PassRole', Resource: 'arn:aws:iam::000000000000:role/Task?', Condition: { StringEquals: { 'iam:PassedToService': 'ecs-tasks.amazonaws.com' } } },
        { Effect: 'Allow', Action: 'ecs:ListTasks', Resource: '*', Condition: { ArnLike: { 'ecs:cluster': 'arn:aws:ecs:us-east-1:000000000000:cluster/*' } } },
        { Effect: 'Allow', Action: 'ssm:GetParameter', Resource: 'arn:aws:ssm:us-east-1:*:parameter/mesh/*' },
      ],
    },
    { Statement: { Effect: 'Deny', Action: 'ssm:GetParameter', Resource: 'arn:aws:ssm:us-east-1:*:parameter/mesh/secrets/*' } },
  ];

  it('allows what an Allow statement matches, with * and ? wildcards, actions case-insensitively', () => {
    expect(evaluatePolicies(policies, request('ecs:DescribeServices', 'arn:aws:ecs:us-east-1:000000000000:service/c/s'))).toBe('Allowed');
    expect(evaluatePolicies(policies, request('ECS:createservice', 'arn:aws:ecs:us-east-1:000000000000:service/c/s'))).toBe('Allowed');
    expect(evaluatePolicies(policies, request('iam:PassRole', 'arn:aws:iam::000000000000:role/Task1', { 'iam:PassedToService': 'ecs-tasks.amazonaws.com' }))).toBe('Allowed');
    expect(evaluatePolicies(policies, request('iam:PassRole', 'arn:aws:iam::000000000000:role/Task12', { 'iam:PassedToService': 'ecs-tasks.amazonaws.com' }))).toBe('ImplicitlyDenied');
  });

  it('denies implicitly what no statement allows: another action, resource, region or a resource in another case', () => {
    expect(evaluatePolicies(policies, request('ecs:DeleteService', 'arn:aws:ecs:us-east-1:000000000000:service/c/s'))).toBe('ImplicitlyDenied');
    expect(evaluatePolicies(policies, request('ecs:CreateService', 'arn:aws:ecs:eu-west-1:000000000000:service/c/s'))).toBe('ImplicitlyDenied');
    expect(evaluatePolicies(policies, request('ecs:CreateService', 'arn:aws:ecs:us-east-1:000000000000:cluster/c'))).toBe('ImplicitlyDenied');
    expect(evaluatePolicies(policies, request('ssm:GetParameter', 'arn:aws:ssm:us-east-1:000000000000:parameter/MESH/x'))).toBe('ImplicitlyDenied');
  });

  it('lets an explicit Deny win over an Allow', () => {
    expect(evaluatePolicies(policies, request('ssm:GetParameter', 'arn:aws:ssm:us-east-1:000000000000:parameter/mesh/config'))).toBe('Allowed');
    expect(evaluatePolicies(policies, request('ssm:GetParameter', 'arn:aws:ssm:us-east-1:000000000000:parameter/mesh/secrets/token'))).toBe('ExplicitlyDenied');
  });

  it('matches a condition only when the request carries the key with a wanted value (tag-on-create, PassRole, ecs:cluster)', () => {
    const td = 'arn:aws:ecs:us-east-1:000000000000:task-definition/mesh-users:3';
    expect(evaluatePolicies(policies, request('ecs:TagResource', td, { 'ecs:CreateAction': 'RegisterTaskDefinition' }))).toBe('Allowed');
    // Condition keys are case-insensitive, values are not.
    expect(evaluatePolicies(policies, request('ecs:TagResource', td, { 'ECS:createaction': 'RegisterTaskDefinition' }))).toBe('Allowed');
    expect(evaluatePolicies(policies, request('ecs:TagResource', td, { 'ecs:CreateAction': 'registertaskdefinition' }))).toBe('ImplicitlyDenied');
    expect(evaluatePolicies(policies, request('ecs:TagResource', td))).toBe('ImplicitlyDenied');
    expect(evaluatePolicies(policies, request('iam:PassRole', 'arn:aws:iam::000000000000:role/TaskA', { 'iam:PassedToService': 'lambda.amazonaws.com' }))).toBe('ImplicitlyDenied');
    expect(evaluatePolicies(policies, request('ecs:ListTasks', '*', { 'ecs:cluster': 'arn:aws:ecs:us-east-1:000000000000:cluster/servers' }))).toBe('Allowed');
    expect(evaluatePolicies(policies, request('ecs:ListTasks', '*', { 'ecs:cluster': 'arn:aws:ecs:us-east-1:999999999999:cluster/servers' }))).toBe('ImplicitlyDenied');
    expect(evaluatePolicies(policies, request('ecs:ListTasks', '*'))).toBe('ImplicitlyDenied');
  });

  it('reads negated operators, IfExists and Null as IAM does for a missing key', () => {
    const statement = (Condition: Record<string, Record<string, string>>): PolicyDocument[] => [{ Statement: [{ Effect: 'Allow', Action: 's3:GetObject', Resource: '*', Condition }] }];
    expect(evaluatePolicies(statement({ StringNotEquals: { 'aws:ResourceTag/mesh': 'other' } }), request('s3:GetObject', 'x'))).toBe('Allowed');
    expect(evaluatePolicies(statement({ StringEqualsIfExists: { 'aws:ResourceTag/mesh': 'm' } }), request('s3:GetObject', 'x'))).toBe('Allowed');
    expect(evaluatePolicies(statement({ StringEqualsIfExists: { 'aws:ResourceTag/mesh': 'm' } }), request('s3:GetObject', 'x', { 'aws:ResourceTag/mesh': 'n' }))).toBe('ImplicitlyDenied');
    expect(evaluatePolicies(statement({ Null: { 'aws:RequestTag/mesh': 'false' } }), request('s3:GetObject', 'x'))).toBe('ImplicitlyDenied');
    expect(evaluatePolicies(statement({ StringLike: { 'aws:RequestTag/mesh': 'ref*' } }), request('s3:GetObject', 'x', { 'aws:RequestTag/mesh': 'reference-mesh' }))).toBe('Allowed');
  });

  it('refuses a policy it cannot read faithfully instead of guessing', () => {
    const unknownOperator: PolicyDocument = { Statement: [{ Effect: 'Allow', Action: 's3:GetObject', Resource: '*', Condition: { DateGreaterThan: { 'aws:CurrentTime': '2020-01-01' } } }] };
    expect(() => checkPolicySupported(unknownOperator, 'Role')).toThrow(UnsupportedPolicyError);
    expect(() => evaluatePolicies([unknownOperator], request('s3:GetObject', 'x'))).toThrow(UnsupportedPolicyError);
    expect(() => checkPolicySupported({ Statement: [{ Effect: 'Allow', Action: 's3:*', Resource: 'arn:aws:s3:::${aws:username}/*' }] }, 'Role')).toThrow(/policy variables/);
  });
});
