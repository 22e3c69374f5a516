import { awsLimitIssues, type RecordedCall } from '../../integration/aws-inputs/aws-limits';
import { validateWithBotocore } from '../../integration/aws-inputs/botocore-gate';

/**
 * The inputs gate must be able to fail: deliberately invalid inputs are refused by each of its two halves, each
 * finding naming the operation and the field.
 */
const ECS = 'AmazonEC2ContainerServiceV20141113';

const taskDefinition = (extra: Record<string, unknown> = {}): Record<string, unknown> => ({
  family: 'mesh-users',
  networkMode: 'awsvpc',
  requiresCompatibilities: ['FARGATE'],
  cpu: '256',
  memory: '512',
  containerDefinitions: [{ name: 'users', image: 'users:1.0.0', essential: true }],
  ...extra,
});

const fields = (issues: Array<{ operation: string; field: string }>) => issues.map((i) => `${i.operation.split('.')[1]} ${i.field}`).sort();

describe('the botocore half', () => {
  it('passes a valid task definition', () => {
    const report = validateWithBotocore([{ target: `${ECS}.RegisterTaskDefinition`, input: taskDefinition() }]);
    expect(report).toMatchObject({ checked: 1, errors: [] });
    expect(report.botocore).toMatch(/^\d+\.\d+\.\d+/);
  });

  it('refuses cpu as a number, an unknown field, a missing required field, a bad enum, a boolean number and an unknown operation', () => {
    const calls: RecordedCall[] = [
      { target: `${ECS}.RegisterTaskDefinition`, input: taskDefinition({ cpu: 256, surprise: true, networkMode: 'bridged' }) },
      { target: `${ECS}.CreateService`, input: { cluster: 'c', desiredCount: true } },
      { target: 'AmazonSSM.PutParameter', input: { Name: '/a', Value: 'v', Tier: 'Huge' } },
      { target: 'AWSStepFunctions.StartExecution', input: { stateMachineArn: 'arn', name: 'x'.repeat(81) } },
      { target: `${ECS}.RegisterTaskDefinitions`, input: {} },
    ];
    const report = validateWithBotocore(calls);
    expect(fields(report.errors)).toEqual(
      [
        'RegisterTaskDefinition cpu',
        'RegisterTaskDefinition surprise',
        'RegisterTaskDefinition networkMode',
        'CreateService serviceName',
        'CreateService desiredCount',
        'PutParameter Tier',
        'StartExecution name',
        'RegisterTaskDefinitions (target)',
      ].sort(),
    );
    expect(report.errors.find((e) => e.field === 'cpu')?.problem).toMatch(/Invalid type for parameter cpu, value: 256/);
  });
});

describe('the documented-limits half', () => {
  const check = (target: string, input: Record<string, unknown>) => fields(awsLimitIssues({ target, input }));

  it('passes a valid task definition', () => {
    expect(check(`${ECS}.RegisterTaskDefinition`, taskDefinition())).toEqual([]);
  });

  it('refuses what ECS refuses in a task definition', () => {
    expect(
      check(
        `${ECS}.RegisterTaskDefinition`,
        taskDefinition({
          family: 'f'.repeat(256),
          memory: '4096',
          tags: [{ key: 'k'.repeat(129), value: 'v' }, { key: 'aws:owner', value: 'x' }],
          containerDefinitions: [
            {
              name: 'users',
              environment: [{ name: 'A', value: '1' }],
              secrets: [{ name: 'A', valueFrom: 'arn:aws:ssm:us-east-1:111122223333:parameter/' }],
              healthCheck: { command: ['CMD-SHELL', 'true'], interval: 1, timeout: 61 },
            },
          ],
        }),
      ),
    ).toEqual(
      [
        'RegisterTaskDefinition family',
        'RegisterTaskDefinition memory',
        'RegisterTaskDefinition tags[0].key',
        'RegisterTaskDefinition tags[1].key',
        'RegisterTaskDefinition containerDefinitions[0].secrets[0].name',
        'RegisterTaskDefinition containerDefinitions[0].secrets[0].valueFrom',
        'RegisterTaskDefinition containerDefinitions[0].healthCheck.interval',
        'RegisterTaskDefinition containerDefinitions[0].healthCheck.timeout',
      ].sort(),
    );
    const deep = Array.from({ length: 16 }, (_, i) => `l${i}`).join('/');
    const secret = (valueFrom: string) => taskDefinition({ containerDefinitions: [{ name: 'x', secrets: [{ name: 'S', valueFrom }] }] });
    expect(check(`${ECS}.RegisterTaskDefinition`, secret(`arn:aws:ssm:us-east-1:111122223333:parameter/${deep}`))).toEqual([
      'RegisterTaskDefinition containerDefinitions[0].secrets[0].valueFrom',
    ]);
    expect(check(`${ECS}.RegisterTaskDefinition`, secret('arn:aws:ssm:us-east-1:111122223333:parameter/aws/reference/secretsmanager/db'))).toEqual([]);
    expect(check(`${ECS}.RegisterTaskDefinition`, taskDefinition({ containerDefinitions: [{ name: 'x', environment: [{ name: 'BIG', value: 'v'.repeat(70_000) }] }] }))).toEqual([
      'RegisterTaskDefinition (input)',
    ]);
  });

  it('knows Fargate sizes by platform: 8 GB is not a 256-CPU size, Windows needs 1 vCPU on X86_64', () => {
    expect(check(`${ECS}.RegisterTaskDefinition`, taskDefinition({ cpu: '1024', memory: '2048' }))).toEqual([]);
    expect(check(`${ECS}.RegisterTaskDefinition`, taskDefinition({ cpu: '16384', memory: '122880' }))).toEqual([]);
    expect(check(`${ECS}.RegisterTaskDefinition`, taskDefinition({ cpu: '256', memory: '8192' }))).toEqual(['RegisterTaskDefinition memory']);
    expect(
      check(`${ECS}.RegisterTaskDefinition`, taskDefinition({ cpu: '512', memory: '1024', runtimePlatform: { operatingSystemFamily: 'WINDOWS_SERVER_2022_CORE', cpuArchitecture: 'ARM64' } })),
    ).toEqual(['RegisterTaskDefinition cpu', 'RegisterTaskDefinition runtimePlatform.cpuArchitecture']);
  });

  it('refuses batches over the APIs\' limits', () => {
    expect(check(`${ECS}.DescribeServices`, { cluster: 'c', services: Array.from({ length: 11 }, (_, i) => `s${i}`) })).toEqual(['DescribeServices services']);
    expect(check(`${ECS}.DescribeTasks`, { cluster: 'c', tasks: Array.from({ length: 101 }, (_, i) => `t${i}`) })).toEqual(['DescribeTasks tasks']);
    expect(check(`${ECS}.DescribeServices`, { cluster: 'c', services: ['a'] })).toEqual([]);
  });

  it('refuses SSM names and values SSM cannot hold', () => {
    const deep = Array.from({ length: 16 }, (_, i) => `/l${i}`).join('');
    expect(check('AmazonSSM.PutParameter', { Name: deep, Value: 'v', Type: 'String' })).toEqual(['PutParameter Name']);
    expect(check('AmazonSSM.PutParameter', { Name: `/${'n'.repeat(1011)}`, Value: 'v', Type: 'String' })).toEqual(['PutParameter Name']);
    expect(check('AmazonSSM.PutParameter', { Name: '/awsome/x', Value: 'v', Type: 'String' })).toEqual(['PutParameter Name']);
    expect(check('AmazonSSM.PutParameter', { Name: '/a/b', Value: 'é'.repeat(2049), Type: 'String' })).toEqual(['PutParameter Value']);
    expect(check('AmazonSSM.PutParameter', { Name: '/a/b', Value: 'é'.repeat(2049), Type: 'String', Tier: 'Advanced' })).toEqual([]);
    expect(check('AmazonSSM.PutParameter', { Name: '/a/b', Value: 'v', Type: 'String', Overwrite: true, Tags: [{ Key: 'k', Value: 'v' }] })).toEqual(['PutParameter Tags']);
  });

  it('refuses execution names and inputs Step Functions refuses', () => {
    const start = (name: string, input = '{}') => check('AWSStepFunctions.StartExecution', { stateMachineArn: 'arn', name, input });
    expect(start('mesh-0123456789ab-20261206000000-abcdef')).toEqual([]);
    expect(start('x'.repeat(81))).toEqual(['StartExecution name']);
    expect(start('mesh:prod')).toEqual(['StartExecution name']);
    expect(start('ok', JSON.stringify({ spec: 'x'.repeat(256 * 1024) }))).toEqual(['StartExecution input']);
  });

  it('refuses ECS names, client tokens and network settings ECS refuses', () => {
    expect(check(`${ECS}.CreateCluster`, { clusterName: 'a.b' })).toEqual(['CreateCluster clusterName']);
    expect(
      check(`${ECS}.CreateService`, {
        cluster: 'c',
        serviceName: 's',
        clientToken: 'x'.repeat(37),
        networkConfiguration: { awsvpcConfiguration: { subnets: [], securityGroups: ['1', '2', '3', '4', '5', '6'] } },
        tags: Array.from({ length: 51 }, (_, i) => ({ key: `k${i}`, value: 'v' })),
      }),
    ).toEqual([
      'CreateService clientToken',
      'CreateService networkConfiguration.awsvpcConfiguration.securityGroups',
      'CreateService networkConfiguration.awsvpcConfiguration.subnets',
      'CreateService tags',
    ]);
  });
});
