/**
 * The parts of the resolved `serverless.yml` the local cloud runs, as zod schemas. Everything else the file may
 * hold (plugins' settings, `resources:`, `package:`) passes through untouched; what is read here is validated so
 * a mistake is reported with its path instead of failing later inside a handler.
 */
import { z } from 'zod';

const stringOrStrings = z.union([z.string(), z.array(z.string())]);

/** Environment values are strings, or intrinsics (`{Ref: ...}`) resolved locally; numbers and booleans are coerced. */
const environment = z.record(z.string(), z.union([z.string(), z.number(), z.boolean(), z.record(z.string(), z.unknown())]));

export const httpApiEventSchema = z.union([
  z.string(),
  z.looseObject({
    method: z.string().optional(),
    path: z.string(),
    authorizer: z
      .union([
        z.string(),
        z.looseObject({ name: z.string().optional(), id: z.string().optional(), type: z.string().optional(), scopes: stringOrStrings.optional() }),
      ])
      .optional(),
  }),
]);

export const eventBridgeEventSchema = z.looseObject({
  eventBus: z.unknown().optional(),
  pattern: z.record(z.string(), z.unknown()).optional(),
  schedule: z.string().optional(),
  name: z.string().optional(),
  description: z.string().optional(),
  enabled: z.boolean().optional(),
  input: z.unknown().optional(),
  inputPath: z.string().optional(),
  inputTransformer: z.looseObject({ inputTemplate: z.string(), inputPathsMap: z.record(z.string(), z.string()).optional() }).optional(),
  retryPolicy: z.looseObject({ maximumEventAge: z.number().optional(), maximumRetryAttempts: z.number().optional() }).optional(),
  deadLetterQueueArn: z.unknown().optional(),
});

export const scheduleEventSchema = z.union([
  z.string(),
  z.looseObject({
    rate: stringOrStrings,
    enabled: z.boolean().optional(),
    name: z.string().optional(),
    description: z.string().optional(),
    input: z.unknown().optional(),
    inputPath: z.string().optional(),
    inputTransformer: z.looseObject({ inputTemplate: z.string(), inputPathsMap: z.record(z.string(), z.string()).optional() }).optional(),
  }),
]);

export const functionSchema = z.looseObject({
  handler: z.string().regex(/^[^.]+(\.[^.]+)*\.[A-Za-z_$][\w$]*$/, 'expected "path/to/file.exportName"'),
  name: z.string().optional(),
  timeout: z.number().int().positive().max(900).optional(),
  memorySize: z.number().int().min(128).max(10240).optional(),
  environment: environment.optional(),
  maximumRetryAttempts: z.number().int().min(0).max(2).optional(),
  maximumEventAge: z.number().int().min(60).max(21600).optional(),
  destinations: z.looseObject({ onSuccess: z.unknown().optional(), onFailure: z.unknown().optional() }).optional(),
  events: z.array(z.record(z.string(), z.unknown())).optional(),
});

export const authorizerSchema = z.looseObject({
  type: z.enum(['request', 'jwt']).optional(),
  name: z.string().optional(),
  functionName: z.string().optional(),
  functionArn: z.unknown().optional(),
  identitySource: stringOrStrings.optional(),
  enableSimpleResponses: z.boolean().optional(),
  payloadVersion: z.enum(['1.0', '2.0']).optional(),
  resultTtlInSeconds: z.number().int().min(0).max(3600).optional(),
  issuerUrl: z.string().optional(),
  audience: stringOrStrings.optional(),
});

export const stateMachineSchema = z.looseObject({
  id: z.string().optional(),
  name: z.string().optional(),
  type: z.enum(['STANDARD', 'EXPRESS']).optional(),
  definition: z.union([z.record(z.string(), z.unknown()), z.string()]),
});

export const serverlessSchema = z.looseObject({
  service: z.union([z.string(), z.looseObject({ name: z.string() })]),
  provider: z.looseObject({
    name: z.literal('aws'),
    stage: z.string().default('dev'),
    region: z.string().default('us-east-1'),
    runtime: z.string().optional(),
    timeout: z.number().int().positive().max(900).optional(),
    memorySize: z.number().int().min(128).max(10240).optional(),
    environment: environment.optional(),
    httpApi: z
      .looseObject({
        authorizers: z.record(z.string(), authorizerSchema).optional(),
        cors: z.unknown().optional(),
      })
      .optional(),
  }),
  functions: z.record(z.string(), functionSchema).optional(),
  stepFunctions: z.looseObject({ stateMachines: z.record(z.string(), stateMachineSchema).optional() }).optional(),
});

export type RawServerless = z.output<typeof serverlessSchema>;
export type RawFunction = z.output<typeof functionSchema>;
export type RawAuthorizer = z.output<typeof authorizerSchema>;

/** `functions.work.timeout: expected number` — the first problems, each with its path. */
export function describeIssues(error: z.ZodError): string {
  return error.issues
    .slice(0, 5)
    .map((issue) => `${issue.path.map(String).join('.') || '(root)'}: ${issue.message}`)
    .join('; ');
}
