/** `stepfunctions.json`: state machines and executions with their full history. */
import { z } from 'zod';
import type { StepFunctionsSnapshot } from '../../aws/stepfunctions/provider';
import type { StateFormat } from '../format';
import { count, epochMs } from './common';

const machine = z.looseObject({
  arn: z.string().min(1),
  name: z.string().min(1),
  region: z.string().min(1),
  type: z.enum(['STANDARD', 'EXPRESS']),
  creationDate: epochMs,
  roleArn: z.string(),
  definition: z.string().min(1),
  loggingConfiguration: z.looseObject({ level: z.string(), includeExecutionData: z.boolean(), destinations: z.unknown().optional() }),
  tracingConfiguration: z.looseObject({ enabled: z.boolean() }),
  status: z.enum(['ACTIVE', 'DELETING']),
  updateDate: epochMs.optional(),
  revisionId: z.string().optional(),
});

/** GetExecutionHistory's events: the common members checked, the `*EventDetails` kept as they are. */
const historyEvent = z.looseObject({ timestamp: z.number(), type: z.string().min(1), id: count, previousEventId: count });

const execution = z.looseObject({
  arn: z.string().min(1),
  name: z.string().min(1),
  stateMachineArn: z.string().min(1),
  stateMachineName: z.string().min(1),
  roleArn: z.string(),
  region: z.string().min(1),
  input: z.string(),
  traceHeader: z.string().optional(),
  definition: z.string().min(1),
  sequence: count,
  startDate: epochMs,
  status: z.enum(['RUNNING', 'SUCCEEDED', 'FAILED', 'TIMED_OUT', 'ABORTED']),
  stopDate: epochMs.optional(),
  output: z.string().optional(),
  error: z.string().optional(),
  cause: z.string().optional(),
  history: z.array(historyEvent),
});

const schema: z.ZodType<StepFunctionsSnapshot> = z.looseObject({ stateMachines: z.array(machine), executions: z.array(execution) });

export const STEP_FUNCTIONS_STATE: StateFormat<StepFunctionsSnapshot> = {
  service: 'stepfunctions',
  file: 'stepfunctions.json',
  version: 1,
  schema,
};
