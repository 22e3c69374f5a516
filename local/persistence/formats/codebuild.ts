/** `codebuild.json`: projects and finished builds (phases, logs, exported variables), per region. */
import { z } from 'zod';
import { PHASES } from '../../aws/codebuild/phases';
import type { CodeBuildSnapshot } from '../../aws/codebuild/provider';
import { environmentVariable, projectArtifacts, projectEnvironment, projectSource } from '../../aws/codebuild/schemas';
import type { StateFormat } from '../format';
import { byRegion, count, epochMs } from './common';

const status = z.enum(['SUCCEEDED', 'FAILED', 'FAULT', 'TIMED_OUT', 'IN_PROGRESS', 'STOPPED']);

const project = z.looseObject({
  name: z.string().min(1),
  arn: z.string(),
  description: z.string().optional(),
  source: projectSource,
  artifacts: projectArtifacts,
  environment: projectEnvironment,
  serviceRole: z.string(),
  timeoutInMinutes: count,
  queuedTimeoutInMinutes: count,
  tags: z.array(z.object({ key: z.string(), value: z.string() })),
  created: epochMs,
  lastModified: epochMs,
  lastBuildNumber: count,
});

const phase = z.looseObject({
  phaseType: z.enum(PHASES),
  phaseStatus: status.optional(),
  startTime: epochMs,
  endTime: epochMs.optional(),
  contexts: z.array(z.object({ statusCode: z.string(), message: z.string() })).optional(),
});

const build = z.looseObject({
  id: z.string().min(1),
  arn: z.string(),
  buildNumber: count,
  projectName: z.string(),
  region: z.string(),
  startTime: epochMs,
  endTime: epochMs.optional(),
  currentPhase: z.enum(PHASES),
  buildStatus: status,
  buildComplete: z.boolean(),
  sourceVersion: z.string().optional(),
  source: projectSource,
  environment: projectEnvironment.extend({ environmentVariables: z.array(environmentVariable) }),
  serviceRole: z.string(),
  timeoutInMinutes: count,
  queuedTimeoutInMinutes: count,
  logStream: z.string(),
  phases: z.array(phase),
  exportedEnvironmentVariables: z.array(z.object({ name: z.string(), value: z.string() })),
  log: z.array(z.string()),
});

const schema: z.ZodType<CodeBuildSnapshot> = z.looseObject({
  regions: byRegion(z.looseObject({ projects: z.array(project), builds: z.array(build) })),
});

export const CODEBUILD_STATE: StateFormat<CodeBuildSnapshot> = { service: 'codebuild', file: 'codebuild.json', version: 1, schema };
