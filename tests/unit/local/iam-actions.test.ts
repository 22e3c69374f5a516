import { Faults } from '../../../local/faults/faults';
import { EcsSimulation } from '../../../local/aws/ecs/simulation';
import { SsmProvider } from '../../../local/aws/ssm/provider';
import { EcrProvider } from '../../../local/aws/ecr/provider';
import { CodeBuildProvider } from '../../../local/aws/codebuild/provider';
import { EventsProvider } from '../../../local/aws/events/provider';
import { LogsProvider } from '../../../local/aws/logs/provider';
import { StepFunctionsProvider } from '../../../local/aws/stepfunctions';
import { OPERATION_REQUESTS, requestsForCall, requestsForS3 } from '../../../local/aws/iam/actions';

const scope = { region: 'us-east-1', accountId: '000000000000', hints: { nextTaskDefinitionRevision: () => 4 } };

describe('the IAM requests of each operation the local endpoint serves', () => {
  it('has an entry for every operation of every JSON-protocol service, so none is authorized as a guess', async () => {
    const ecs = new EcsSimulation();
    const events = new EventsProvider({ invokeLambda: async () => undefined });
    const stepFunctions = new StepFunctionsProvider({ lambda: { invokeByArn: async () => undefined } });
    const codebuild = new CodeBuildProvider({ registry: new EcrProvider(), projectRoot: '.', faults: new Faults() });
    try {
      const providers = [ecs.provider, new SsmProvider(), new EcrProvider(), codebuild, events, stepFunctions, new LogsProvider()];
      const missing = providers.flatMap((p) => Object.keys(p.operations).filter((op) => !Object.hasOwn(OPERATION_REQUESTS[p.signingName] ?? {}, op)).map((op) => `${p.signingName}:${op}`));
      expect(missing).toEqual([]);
    } finally {
      ecs.close();
      codebuild.close();
      await events.close();
      await stepFunctions.close();
    }
  });

  it('asks for tag-on-create and iam:PassRole with RegisterTaskDefinition, on the revision it will create', () => {
    const requests = requestsForCall('ecs', 'RegisterTaskDefinition', {
      family: 'mesh-users',
      taskRoleArn: 'arn:aws:iam::000000000000:role/Task',
      executionRoleArn: 'arn:aws:iam::000000000000:role/Exec',
      tags: [{ key: 'mesh', value: 'reference-mesh' }],
    }, scope);
    const arn = 'arn:aws:ecs:us-east-1:000000000000:task-definition/mesh-users:4';
    expect(requests).toEqual([
      { action: 'ecs:RegisterTaskDefinition', resource: arn, context: { 'aws:RequestTag/mesh': 'reference-mesh', 'aws:TagKeys': ['mesh'] } },
      { action: 'ecs:TagResource', resource: arn, context: { 'aws:RequestTag/mesh': 'reference-mesh', 'aws:TagKeys': ['mesh'], 'ecs:CreateAction': 'RegisterTaskDefinition' } },
      { action: 'iam:PassRole', resource: 'arn:aws:iam::000000000000:role/Task', context: { 'iam:PassedToService': 'ecs-tasks.amazonaws.com' } },
      { action: 'iam:PassRole', resource: 'arn:aws:iam::000000000000:role/Exec', context: { 'iam:PassedToService': 'ecs-tasks.amazonaws.com' } },
    ]);
    // Without tags there is nothing to tag.
    expect(requestsForCall('ecs', 'RegisterTaskDefinition', { family: 'f' }, scope).map((r) => r.action)).toEqual(['ecs:RegisterTaskDefinition']);
  });

  it('asks for ECS\'s service-linked role with the first cluster or service of the account, and only then', () => {
    const slr = { action: 'iam:CreateServiceLinkedRole', resource: 'arn:aws:iam::000000000000:role/aws-service-role/ecs.amazonaws.com/AWSServiceRoleForECS', context: { 'iam:AWSServiceName': 'ecs.amazonaws.com' } };
    const first = { ...scope, hints: { ecsServiceLinkedRoleExists: () => false } };
    const later = { ...scope, hints: { ecsServiceLinkedRoleExists: () => true } };
    expect(requestsForCall('ecs', 'CreateCluster', { clusterName: 'c' }, first)).toContainEqual(slr);
    expect(requestsForCall('ecs', 'CreateService', { cluster: 'c', serviceName: 's' }, first)).toContainEqual(slr);
    expect(requestsForCall('ecs', 'CreateCluster', { clusterName: 'c' }, later)).not.toContainEqual(slr);
  });

  it('names services and tasks with their cluster and carries ecs:cluster', () => {
    expect(requestsForCall('ecs', 'UpdateService', { cluster: 'c1', service: 'users' }, scope)).toEqual([
      { action: 'ecs:UpdateService', resource: 'arn:aws:ecs:us-east-1:000000000000:service/c1/users', context: { 'ecs:cluster': 'arn:aws:ecs:us-east-1:000000000000:cluster/c1' } },
    ]);
    expect(requestsForCall('ecs', 'DescribeTasks', { tasks: ['abc'] }, scope)[0]).toMatchObject({ resource: 'arn:aws:ecs:us-east-1:000000000000:task/default/abc' });
  });

  it('names an SSM parameter the same with or without its leading slash, one request per name of GetParameters', () => {
    const arns = requestsForCall('ssm', 'GetParameters', { Names: ['/a/b', 'a/c', 'arn:aws:ssm:us-east-1:000000000000:parameter/a/d'] }, scope).map((r) => r.resource);
    expect(arns).toEqual(['arn:aws:ssm:us-east-1:000000000000:parameter/a/b', 'arn:aws:ssm:us-east-1:000000000000:parameter/a/c', 'arn:aws:ssm:us-east-1:000000000000:parameter/a/d']);
    expect(requestsForCall('ssm', 'PutParameter', { Name: '/x', Tags: [{ Key: 'k', Value: 'v' }] }, scope).map((r) => r.action)).toEqual(['ssm:PutParameter', 'ssm:AddTagsToResource']);
  });

  it('maps S3 operations to their IAM actions on the bucket or the object', () => {
    expect(requestsForS3('GetObject', '/bucket/contexts/a%20b.zip')).toEqual([{ action: 's3:GetObject', resource: 'arn:aws:s3:::bucket/contexts/a b.zip', context: {} }]);
    expect(requestsForS3('ListObjectsV2', '/bucket')).toEqual([{ action: 's3:ListBucket', resource: 'arn:aws:s3:::bucket', context: {} }]);
    expect(requestsForS3('ListObjectsV2', '/bucket', new URLSearchParams('list-type=2&prefix=contexts/'))).toEqual([{ action: 's3:ListBucket', resource: 'arn:aws:s3:::bucket', context: { 's3:prefix': 'contexts/' } }]);
    expect(requestsForS3('ListBuckets', '/')).toEqual([{ action: 's3:ListAllMyBuckets', resource: '*', context: {} }]);
  });
});
