/**
 * Request shapes of the Step Functions operations, with the member constraints of its service model (botocore's
 * `stepfunctions` model). The service's own rules (an ARN that parses, a name without forbidden characters, the
 * input as JSON within 256 KiB, a definition that compiles) are checked by the operations after these.
 */
import { z } from 'zod';

/** `Arn`: 1 to 256 characters; whether it is a state machine's or an execution's ARN is the operation's check. */
const arn = z.string().min(1).max(256);
/** `Name`: 1 to 80 characters; the characters are checked by `names.ts` (InvalidName). */
const name = z.string().min(1).max(80);
/** `PageSize`: 0 (the default page) to 1000. */
const maxResults = z.number().int().min(0).max(1000).optional();
const nextToken = z.string().min(1).max(1024).optional();
/** `Definition`: the ASL text, 1 character to 1 MiB. */
const definition = z.string().min(1).max(1_048_576);

const loggingConfiguration = z
  .object({
    level: z.enum(['ALL', 'ERROR', 'FATAL', 'OFF']).optional(),
    includeExecutionData: z.boolean().optional(),
    destinations: z.array(z.unknown()).optional(),
  })
  .optional();
export type LoggingConfigurationInput = z.infer<typeof loggingConfiguration>;
const tracingConfiguration = z.object({ enabled: z.boolean().optional() }).optional();
export type TracingConfigurationInput = z.infer<typeof tracingConfiguration>;

export const createStateMachineInput = z.object({
  name,
  definition,
  roleArn: arn,
  type: z.enum(['STANDARD', 'EXPRESS']).optional(),
  loggingConfiguration,
  tracingConfiguration,
});
export type CreateStateMachineInput = z.infer<typeof createStateMachineInput>;

export const updateStateMachineInput = z.object({
  stateMachineArn: arn,
  definition: definition.optional(),
  roleArn: arn.optional(),
  loggingConfiguration,
  tracingConfiguration,
});
export type UpdateStateMachineInput = z.infer<typeof updateStateMachineInput>;

/** DescribeStateMachine, DeleteStateMachine. */
export const stateMachineInput = z.object({ stateMachineArn: arn });
export type StateMachineInput = z.infer<typeof stateMachineInput>;

export const listStateMachinesInput = z.object({ maxResults, nextToken });
export type ListStateMachinesInput = z.infer<typeof listStateMachinesInput>;

export const startExecutionInput = z.object({
  stateMachineArn: arn,
  name: name.optional(),
  /** `SensitiveData`, at most 262,144 characters; its size in bytes is the operation's check (States.DataLimitExceeded's 256 KiB). */
  input: z.string().max(262_144).optional(),
  traceHeader: z.string().max(256).optional(),
});
export type StartExecutionInput = z.infer<typeof startExecutionInput>;

/** DescribeExecution, DescribeStateMachineForExecution. */
export const executionInput = z.object({ executionArn: arn });
export type ExecutionInput = z.infer<typeof executionInput>;

/** The local Step Functions lists the executions of a state machine (not of a Map Run): `stateMachineArn` is needed. */
export const listExecutionsInput = z.object({
  stateMachineArn: arn,
  statusFilter: z.enum(['RUNNING', 'SUCCEEDED', 'FAILED', 'TIMED_OUT', 'ABORTED', 'PENDING_REDRIVE']).optional(),
  maxResults,
  nextToken: z.string().min(1).max(3096).optional(),
});
export type ListExecutionsInput = z.infer<typeof listExecutionsInput>;

export const stopExecutionInput = z.object({
  executionArn: arn,
  error: z.string().max(256).optional(),
  cause: z.string().max(32_768).optional(),
});
export type StopExecutionInput = z.infer<typeof stopExecutionInput>;

export const getExecutionHistoryInput = z.object({
  executionArn: arn,
  maxResults,
  reverseOrder: z.boolean().optional(),
  nextToken,
  includeExecutionData: z.boolean().optional(),
});
export type GetExecutionHistoryInput = z.infer<typeof getExecutionHistoryInput>;
