/**
 * The references a function's environment makes to resources of serverless.yml the local cloud does not run (roles,
 * queues, discovery services, buckets): resolved by the resource's CloudFormation `Type`, not guessed from how the
 * product names its logical ids.
 */
import { localResourceRef } from '../../../local/cloud';
import { buildServerlessConfig } from '../../../local/serverless/build';

describe('localResourceRef', () => {
  it('resolves by type whatever the logical id is called', () => {
    expect(localResourceRef('Executor', 'Arn', 'local', 'us-east-1', 'AWS::IAM::Role')).toBe('arn:aws:iam::000000000000:role/local-Executor');
    expect(localResourceRef('Failures', undefined, 'local', 'us-east-1', 'AWS::SQS::Queue')).toBe('http://sqs.local/000000000000/local-Failures');
    expect(localResourceRef('Failures', 'Arn', 'local', 'us-east-1', 'AWS::SQS::Queue')).toBe('arn:aws:sqs:us-east-1:000000000000:local-Failures');
    expect(localResourceRef('Sources', undefined, 'local', 'us-east-1', 'AWS::S3::Bucket')).toBe('local-sources');
    expect(localResourceRef('Registry', 'Arn', 'local', 'us-east-1', 'AWS::ServiceDiscovery::Service')).toBe('arn:aws:servicediscovery:us-east-1:000000000000:service/srv-local-registry');
  });

  it('does not take a name for a type: a topic called ...Queue is no queue, an unknown type resolves to nothing', () => {
    expect(localResourceRef('AlarmQueue', undefined, 'local', 'us-east-1', 'AWS::SNS::Topic')).toBeUndefined();
    expect(localResourceRef('SomeRole', 'Arn', 'local', 'us-east-1', undefined)).toBeUndefined();
  });

  it("gets each resource's type from serverless.yml's resources", () => {
    const seen: Array<[string, string | undefined, string | undefined]> = [];
    const document = {
      service: 'app',
      provider: { name: 'aws', stage: 'dev', region: 'us-east-1' },
      functions: { work: { handler: 'x.handler', environment: { QUEUE_URL: { Ref: 'Failures' }, ROLE: { 'Fn::GetAtt': ['Executor', 'Arn'] } } } },
      resources: { Resources: { Failures: { Type: 'AWS::SQS::Queue' }, Executor: { Type: 'AWS::IAM::Role' } } },
    };
    const config = buildServerlessConfig(document, {
      appDir: '/app',
      resolveExternal: (id, attribute, type) => {
        seen.push([id, attribute, type]);
        return localResourceRef(id, attribute, 'dev', 'us-east-1', type);
      },
    });
    expect(seen).toEqual(expect.arrayContaining([['Failures', undefined, 'AWS::SQS::Queue'], ['Executor', 'Arn', 'AWS::IAM::Role']]));
    expect(config.functions[0].environment).toMatchObject({ QUEUE_URL: 'http://sqs.local/000000000000/dev-Failures', ROLE: 'arn:aws:iam::000000000000:role/dev-Executor' });
  });
});
