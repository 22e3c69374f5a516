/** Request shapes of the CodeBuild operations, with the member constraints of the CodeBuild API reference. */
import { z } from 'zod';
import { ENVIRONMENT_TYPES } from './platform';

export const SOURCE_TYPES = [
  'CODECOMMIT',
  'CODEPIPELINE',
  'GITHUB',
  'GITHUB_ENTERPRISE',
  'GITLAB',
  'GITLAB_SELF_MANAGED',
  'BITBUCKET',
  'S3',
  'NO_SOURCE',
] as const;

/** ProjectName: 2 to 150 characters of the model's pattern; each violated constraint is reported, as AWS does. */
const projectName = z
  .string()
  .min(2)
  .max(150)
  .regex(/^[A-Za-z0-9][A-Za-z0-9\-_]{1,149}$/, 'Member must satisfy regular expression pattern: [A-Za-z0-9][A-Za-z0-9\\-_]{1,149}');

export const environmentVariable = z.object({
  name: z.string().min(1),
  value: z.string(),
  type: z.enum(['PLAINTEXT', 'PARAMETER_STORE', 'SECRETS_MANAGER']).optional(),
});
export type EnvironmentVariable = z.infer<typeof environmentVariable>;

// Unknown members of these structures are kept (and echoed back) rather than dropped.
export const projectSource = z.looseObject({
  type: z.enum(SOURCE_TYPES),
  location: z.string().optional(),
  buildspec: z.string().optional(),
});
export type ProjectSource = z.infer<typeof projectSource>;

export const projectArtifacts = z.looseObject({
  type: z.enum(['CODEPIPELINE', 'S3', 'NO_ARTIFACTS']),
  location: z.string().optional(),
});
export type ProjectArtifacts = z.infer<typeof projectArtifacts>;

export const projectEnvironment = z.looseObject({
  type: z.string().min(1),
  image: z.string().min(1),
  computeType: z.string().min(1),
  privilegedMode: z.boolean().optional(),
  environmentVariables: z.array(environmentVariable).optional(),
});
export type ProjectEnvironment = z.infer<typeof projectEnvironment>;

const tag = z.object({ key: z.string().min(1).max(127), value: z.string().max(255) });

export const createProjectInput = z.object({
  name: projectName,
  description: z.string().max(255).optional(),
  source: projectSource,
  artifacts: projectArtifacts,
  environment: projectEnvironment,
  serviceRole: z.string().min(1),
  timeoutInMinutes: z.number().int().min(5).max(2160).optional(),
  queuedTimeoutInMinutes: z.number().int().min(5).max(480).optional(),
  tags: z.array(tag).max(50).optional(),
});
export type CreateProjectInput = z.infer<typeof createProjectInput>;

export const updateProjectInput = createProjectInput.partial().extend({ name: z.string().min(1) });
export type UpdateProjectInput = z.infer<typeof updateProjectInput>;

export const batchGetProjectsInput = z.object({ names: z.array(z.string().min(1)).min(1).max(100) });
export const deleteProjectInput = z.object({ name: z.string().min(1) });

const sortOrder = z.enum(['ASCENDING', 'DESCENDING']).optional();

export const listProjectsInput = z.object({
  sortBy: z.enum(['NAME', 'CREATED_TIME', 'LAST_MODIFIED_TIME']).optional(),
  sortOrder,
  nextToken: z.string().optional(),
});

export const startBuildInput = z.object({
  projectName: z.string().min(1),
  sourceVersion: z.string().optional(),
  sourceTypeOverride: z.enum(SOURCE_TYPES).optional(),
  sourceLocationOverride: z.string().optional(),
  buildspecOverride: z.string().optional(),
  environmentVariablesOverride: z.array(environmentVariable).optional(),
  privilegedModeOverride: z.boolean().optional(),
  environmentTypeOverride: z.enum(ENVIRONMENT_TYPES).optional(),
  imageOverride: z.string().optional(),
  computeTypeOverride: z.string().optional(),
  timeoutInMinutesOverride: z.number().int().min(5).max(2160).optional(),
  queuedTimeoutInMinutesOverride: z.number().int().min(5).max(480).optional(),
  idempotencyToken: z.string().min(1).optional(),
});
export type StartBuildInput = z.infer<typeof startBuildInput>;

export const batchGetBuildsInput = z.object({ ids: z.array(z.string().min(1)).min(1).max(100) });
export const stopBuildInput = z.object({ id: z.string().min(1) });
export const listBuildsForProjectInput = z.object({ projectName: z.string().min(1), sortOrder, nextToken: z.string().optional() });
export const listBuildsInput = z.object({ sortOrder, nextToken: z.string().optional() });
