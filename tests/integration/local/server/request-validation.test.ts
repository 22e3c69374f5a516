/**
 * Every emulated JSON service validates its requests through the one `parseInput` (`local/aws/validation.ts`):
 * one bad call per service through the real SDK client, checking the error type and message the service answers.
 * A member of the wrong JSON type is a `SerializationException` (the service cannot deserialize the request) in
 * every service but ECR; constraint violations are worded as each service words them.
 */
import { BatchGetBuildsCommand, CodeBuildClient } from '@aws-sdk/client-codebuild';
import { CloudWatchLogsClient, CreateLogGroupCommand } from '@aws-sdk/client-cloudwatch-logs';
import { CreateClusterCommand, CreateServiceCommand, DescribeTasksCommand, ECSClient } from '@aws-sdk/client-ecs';
import { CreateRepositoryCommand, ECRClient } from '@aws-sdk/client-ecr';
import { DescribeRuleCommand, EventBridgeClient, PutRuleCommand } from '@aws-sdk/client-eventbridge';
import { DescribeExecutionCommand, SFNClient, StartExecutionCommand, StopExecutionCommand } from '@aws-sdk/client-sfn';
import { GetParameterCommand, SSMClient } from '@aws-sdk/client-ssm';
import {
  CodeBuildProvider,
  EcrProvider,
  EcsSimulation,
  EventsProvider,
  Faults,
  LogsProvider,
  SsmProvider,
  StepFunctionsProvider,
  startAwsEndpoint,
  type AwsEndpoint,
} from '@consul-mesh/local-cloud';

let endpoint: AwsEndpoint;
let ecs: EcsSimulation;
let events: EventsProvider;
const faults = new Faults(1);

beforeAll(async () => {
  ecs = new EcsSimulation({ faults });
  events = new EventsProvider({ invokeLambda: async () => undefined, faults });
  const ecr = new EcrProvider();
  const codebuild = new CodeBuildProvider({ registry: ecr, projectRoot: process.cwd(), faults });
  const sfn = new StepFunctionsProvider({ lambda: { invokeByArn: async () => ({}) }, timeScale: 0 });
  endpoint = await startAwsEndpoint({ port: 0, faults, providers: [ecs.provider, new SsmProvider(), ecr, codebuild, events, new LogsProvider(), sfn] });
});

afterAll(async () => {
  ecs.close();
  await events.close();
  await endpoint.stop();
});

const config = () => ({ endpoint: endpoint.url, region: 'us-east-1', credentials: { accessKeyId: 'test', secretAccessKey: 'test' }, maxAttempts: 1 });

/** The error a call fails with, as the SDK reports it. */
async function failure(call: Promise<unknown>): Promise<{ name: string; message: string; status?: number }> {
  try {
    await call;
  } catch (error) {
    const e = error as { name: string; message: string; $metadata?: { httpStatusCode?: number } };
    return { name: e.name, message: e.message, status: e.$metadata?.httpStatusCode };
  }
  throw new Error('the call succeeded');
}

/** A value of the wrong JSON type, which the SDK serializes as given. */
const wrongType = 42 as unknown as string;
const MACHINE = 'arn:aws:states:us-east-1:000000000000:stateMachine:none';
const EXECUTION = 'arn:aws:states:us-east-1:000000000000:execution:none:run';
const notNull = (member: string) => `1 validation error detected: Value null at '${member}' failed to satisfy constraint: Member must not be null`;
const cannotDeserialize = (member: string) => ({ name: 'SerializationException', message: `Cannot deserialize '${member}': expected string, received number`, status: 400 });

describe('request validation: the one parseInput, worded per service', () => {
  it('SSM: ValidationException listing the violations; SerializationException for a wrong type', async () => {
    const ssm = new SSMClient(config());
    expect(await failure(ssm.send(new GetParameterCommand({} as never)))).toEqual({ name: 'ValidationException', message: notNull('name'), status: 400 });
    expect(await failure(ssm.send(new GetParameterCommand({ Name: wrongType })))).toEqual(cannotDeserialize('name'));
    ssm.destroy();
  });

  it("ECR: InvalidParameterException naming the first member, in ECR's words", async () => {
    const ecr = new ECRClient(config());
    expect(await failure(ecr.send(new CreateRepositoryCommand({ repositoryName: 'A' })))).toEqual({
      name: 'InvalidParameterException',
      message: "Invalid parameter at 'repositoryName' failed to satisfy constraint: 'must have length between 2 and 256'",
      status: 400,
    });
    ecr.destroy();
  });

  it('CodeBuild: InvalidInputException listing the violations', async () => {
    const codebuild = new CodeBuildClient(config());
    expect(await failure(codebuild.send(new BatchGetBuildsCommand({} as never)))).toEqual({ name: 'InvalidInputException', message: notNull('ids'), status: 400 });
    expect(await failure(codebuild.send(new BatchGetBuildsCommand({ ids: wrongType as never })))).toMatchObject({ name: 'SerializationException' });
    codebuild.destroy();
  });

  it('CloudWatch Logs: InvalidParameterException listing the violations', async () => {
    const logs = new CloudWatchLogsClient(config());
    expect(await failure(logs.send(new CreateLogGroupCommand({} as never)))).toEqual({ name: 'InvalidParameterException', message: notNull('logGroupName'), status: 400 });
    logs.destroy();
  });

  it('EventBridge: ValidationException listing every violation; SerializationException for a wrong type', async () => {
    const client = new EventBridgeClient(config());
    expect(await failure(client.send(new DescribeRuleCommand({} as never)))).toEqual({ name: 'ValidationException', message: notNull('name'), status: 400 });
    expect(await failure(client.send(new DescribeRuleCommand({ Name: wrongType })))).toEqual(cannotDeserialize('name'));
    expect(await failure(client.send(new PutRuleCommand({ Name: 'bad name', State: 'ON' as never, EventPattern: '{}' })))).toEqual({
      name: 'ValidationException',
      message:
        "2 validation errors detected: Value 'bad name' at 'name' failed to satisfy constraint: Member must satisfy regular expression pattern: [\\.\\-_A-Za-z0-9]+; " +
        "Value 'ON' at 'state' failed to satisfy constraint: Member must satisfy enum value set: [ENABLED, DISABLED, ENABLED_WITH_ALL_CLOUDTRAIL_MANAGEMENT_EVENTS]",
      status: 400,
    });
    client.destroy();
  });

  it('Step Functions: ValidationException listing every violation, sensitive values left out; SerializationException for a wrong type', async () => {
    const sfn = new SFNClient(config());
    expect(await failure(sfn.send(new DescribeExecutionCommand({} as never)))).toEqual({ name: 'ValidationException', message: notNull('executionArn'), status: 400 });
    expect(await failure(sfn.send(new StopExecutionCommand({ executionArn: EXECUTION, cause: wrongType })))).toEqual(cannotDeserialize('cause'));
    expect(await failure(sfn.send(new StartExecutionCommand({ stateMachineArn: MACHINE, name: 'n'.repeat(81), input: 'x'.repeat(262_145) })))).toEqual({
      name: 'ValidationException',
      message:
        `2 validation errors detected: Value '${'n'.repeat(81)}' at 'name' failed to satisfy constraint: Member must have length less than or equal to 80; ` +
        "Value at 'input' failed to satisfy constraint: Member must have length less than or equal to 262144",
      status: 400,
    });
    sfn.destroy();
  });

  it("ECS: the first problem alone, in ECS's words; SerializationException for a wrong type", async () => {
    const client = new ECSClient(config());
    expect(await failure(client.send(new DescribeTasksCommand({ cluster: 'c', tasks: [] })))).toEqual({ name: 'InvalidParameterException', message: 'Tasks cannot be empty.', status: 400 });
    expect(await failure(client.send(new CreateServiceCommand({ cluster: 'c', taskDefinition: 'x' } as never)))).toEqual({
      name: 'InvalidParameterException',
      message: 'serviceName can not be blank.',
      status: 400,
    });
    expect(await failure(client.send(new CreateClusterCommand({ clusterName: wrongType })))).toEqual(cannotDeserialize('clusterName'));
    client.destroy();
  });
});
