/**
 * The documented output shapes of the operations the AWS CLI tests call, as the CLI prints them.
 *
 * Parsing the CLI's stdout with these schemas asserts field names and types (not only exit code 0); fields the
 * tests do not read are left out, and objects are not strict, because AWS adds fields over time.
 */
import { z } from 'zod';

const EARLIEST = Date.UTC(2020, 0, 1);
const LATEST = Date.UTC(2100, 0, 1);

/**
 * A timestamp as the CLI renders it, converted to epoch milliseconds. AWS JSON protocols send epoch seconds: CLI v1
 * prints them as received (a number), CLI v2 parses them and prints ISO 8601. Milliseconds sent where seconds are
 * due would land tens of thousands of years ahead (or fail the CLI's parser), hence the plausibility range.
 */
export const cliTimestamp = z.union([z.number(), z.string()]).transform((value, ctx) => {
  const ms = typeof value === 'number' ? value * 1000 : Date.parse(value);
  if (!(ms >= EARLIEST && ms < LATEST)) {
    ctx.addIssue({ code: 'custom', message: `not a plausible epoch-seconds timestamp: ${JSON.stringify(value)}` });
    return z.NEVER;
  }
  return ms;
});

const count = z.number().int().nonnegative();
const arn = (pattern: RegExp) => z.string().regex(pattern);

// ---- ECS (AmazonEC2ContainerServiceV20141113) ----

export const ecsCluster = z.object({
  clusterArn: arn(/^arn:aws:ecs:us-east-1:000000000000:cluster\/[\w-]+$/),
  clusterName: z.string(),
  status: z.literal('ACTIVE'),
  registeredContainerInstancesCount: count,
  runningTasksCount: count,
  pendingTasksCount: count,
  activeServicesCount: count,
});

export const ecsTaskDefinition = z.object({
  taskDefinitionArn: arn(/^arn:aws:ecs:us-east-1:000000000000:task-definition\/[\w-]+:\d+$/),
  family: z.string(),
  revision: z.number().int().positive(),
  status: z.literal('ACTIVE'),
  networkMode: z.string(),
  requiresCompatibilities: z.array(z.string()),
  cpu: z.string(),
  memory: z.string(),
  containerDefinitions: z.array(
    z.object({
      name: z.string(),
      image: z.string(),
      essential: z.boolean(),
      portMappings: z.array(z.object({ containerPort: z.number().int(), protocol: z.string() })),
    }),
  ),
  registeredAt: cliTimestamp,
});

export const ecsDeployment = z.object({
  id: z.string().regex(/^ecs-svc\/\d{19}$/),
  status: z.enum(['PRIMARY', 'ACTIVE', 'INACTIVE']),
  taskDefinition: z.string(),
  desiredCount: count,
  pendingCount: count,
  runningCount: count,
  failedTasks: count,
  rolloutState: z.enum(['IN_PROGRESS', 'COMPLETED', 'FAILED']),
  createdAt: cliTimestamp,
  updatedAt: cliTimestamp,
});

export const ecsService = z.object({
  serviceArn: arn(/^arn:aws:ecs:us-east-1:000000000000:service\/[\w-]+\/[\w-]+$/),
  serviceName: z.string(),
  clusterArn: z.string(),
  status: z.enum(['ACTIVE', 'DRAINING', 'INACTIVE']),
  desiredCount: count,
  runningCount: count,
  pendingCount: count,
  launchType: z.string(),
  taskDefinition: z.string(),
  deployments: z.array(ecsDeployment),
  networkConfiguration: z.object({
    awsvpcConfiguration: z.object({ subnets: z.array(z.string()), securityGroups: z.array(z.string()), assignPublicIp: z.string() }),
  }),
  events: z.array(z.object({ id: z.string(), createdAt: cliTimestamp, message: z.string() })),
  createdAt: cliTimestamp,
});

const nameValue = z.object({ name: z.string(), value: z.string() });

export const ecsTask = z.object({
  taskArn: arn(/^arn:aws:ecs:us-east-1:000000000000:task\/[\w-]+\/[0-9a-f]{32}$/),
  clusterArn: z.string(),
  taskDefinitionArn: z.string(),
  group: z.string(),
  startedBy: z.string(),
  lastStatus: z.string(),
  desiredStatus: z.enum(['RUNNING', 'STOPPED']),
  launchType: z.string(),
  availabilityZone: z.string(),
  version: z.number().int().positive(),
  attachments: z.array(
    z.object({ id: z.string(), type: z.literal('ElasticNetworkInterface'), status: z.string(), details: z.array(nameValue) }),
  ),
  containers: z.array(
    z.object({
      name: z.string(),
      image: z.string(),
      lastStatus: z.string(),
      networkInterfaces: z.array(z.object({ attachmentId: z.string(), privateIpv4Address: z.string() })),
    }),
  ),
  createdAt: cliTimestamp,
  startedAt: cliTimestamp,
});

export const ecsFailures = z.array(z.object({ arn: z.string(), reason: z.string() }));

// ---- SSM (AmazonSSM) ----

export const ssmPutParameter = z.object({ Version: z.number().int().positive(), Tier: z.enum(['Standard', 'Advanced', 'Intelligent-Tiering']) });

export const ssmParameter = z.object({
  Name: z.string(),
  Type: z.enum(['String', 'StringList', 'SecureString']),
  Value: z.string(),
  Version: z.number().int().positive(),
  Selector: z.string().optional(),
  LastModifiedDate: cliTimestamp,
  ARN: arn(/^arn:aws:ssm:us-east-1:000000000000:parameter\/.+$/),
  DataType: z.string(),
});

// ---- EventBridge (AWSEvents) ----

export const eventsPutRule = z.object({ RuleArn: arn(/^arn:aws:events:us-east-1:000000000000:rule\/[\w.-]+$/) });
export const eventsPutTargets = z.object({ FailedEntryCount: count, FailedEntries: z.array(z.unknown()) });
export const eventsPutEvents = z.object({
  FailedEntryCount: count,
  Entries: z.array(z.object({ EventId: z.string().optional(), ErrorCode: z.string().optional(), ErrorMessage: z.string().optional() })),
});
export const eventsTestPattern = z.object({ Result: z.boolean() });

// ---- Step Functions (AWSStepFunctions) ----

export const sfnCreateStateMachine = z.object({
  stateMachineArn: arn(/^arn:aws:states:us-east-1:000000000000:stateMachine:[\w-]+$/),
  creationDate: cliTimestamp,
});

export const sfnStartExecution = z.object({
  executionArn: arn(/^arn:aws:states:us-east-1:000000000000:execution:[\w-]+:[\w-]+$/),
  startDate: cliTimestamp,
});

export const sfnDescribeExecution = z.object({
  executionArn: z.string(),
  stateMachineArn: z.string(),
  name: z.string(),
  status: z.enum(['RUNNING', 'SUCCEEDED', 'FAILED', 'TIMED_OUT', 'ABORTED', 'PENDING_REDRIVE']),
  startDate: cliTimestamp,
  stopDate: cliTimestamp.optional(),
  input: z.string(),
  output: z.string().optional(),
  error: z.string().optional(),
  cause: z.string().optional(),
});

export const sfnHistory = z.object({
  events: z.array(
    z.object({
      id: z.number().int().positive(),
      previousEventId: z.number().int().nonnegative().optional(),
      timestamp: cliTimestamp,
      type: z.string(),
      stateEnteredEventDetails: z.object({ name: z.string(), input: z.string() }).optional(),
      stateExitedEventDetails: z.object({ name: z.string(), output: z.string() }).optional(),
      executionSucceededEventDetails: z.object({ output: z.string() }).optional(),
    }),
  ),
});

export const sfnStopExecution = z.object({ stopDate: cliTimestamp });

// ---- ECR (AmazonEC2ContainerRegistry_V20150921) and CodeBuild (CodeBuild_20161006) ----

export const ecrRepository = z.object({
  repositoryArn: arn(/^arn:aws:ecr:us-east-1:000000000000:repository\/[\w./-]+$/),
  registryId: z.literal('000000000000'),
  repositoryName: z.string(),
  repositoryUri: z.string(),
  createdAt: cliTimestamp,
  imageTagMutability: z.enum(['MUTABLE', 'IMMUTABLE']),
});

export const ecrImageDetail = z.object({
  registryId: z.string(),
  repositoryName: z.string(),
  imageDigest: z.string().regex(/^sha256:[0-9a-f]{64}$/),
  imageTags: z.array(z.string()),
  imageSizeInBytes: z.number().int().positive(),
  imagePushedAt: cliTimestamp,
});

export const codebuildProject = z.object({
  name: z.string(),
  arn: arn(/^arn:aws:codebuild:us-east-1:000000000000:project\/[\w-]+$/),
  created: cliTimestamp,
});

export const codebuildBuild = z.object({
  id: z.string(),
  arn: arn(/^arn:aws:codebuild:us-east-1:000000000000:build\/[\w-]+:[0-9a-f-]{36}$/),
  buildNumber: z.number().int().positive(),
  projectName: z.string(),
  startTime: cliTimestamp,
  endTime: cliTimestamp.optional(),
  currentPhase: z.string(),
  buildStatus: z.enum(['SUCCEEDED', 'FAILED', 'FAULT', 'TIMED_OUT', 'IN_PROGRESS', 'STOPPED']),
  buildComplete: z.boolean(),
  phases: z.array(
    z.object({
      phaseType: z.string(),
      phaseStatus: z.string().optional(),
      startTime: cliTimestamp,
      endTime: cliTimestamp.optional(),
      durationInSeconds: count.optional(),
    }),
  ),
  exportedEnvironmentVariables: z.array(nameValue),
});
