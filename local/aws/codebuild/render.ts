/** The response shapes of CodeBuild: `Project` and `Build` (timestamps in epoch seconds). */
import { toEpochSeconds } from '../protocol';
import type { PhaseRecord, StoredBuild, StoredProject } from './store';

export function renderProject(project: StoredProject) {
  return {
    name: project.name,
    arn: project.arn,
    ...(project.description !== undefined ? { description: project.description } : {}),
    source: project.source,
    secondarySources: [],
    artifacts: project.artifacts,
    secondaryArtifacts: [],
    cache: { type: 'NO_CACHE' },
    environment: project.environment,
    serviceRole: project.serviceRole,
    timeoutInMinutes: project.timeoutInMinutes,
    queuedTimeoutInMinutes: project.queuedTimeoutInMinutes,
    tags: project.tags,
    created: toEpochSeconds(project.created),
    lastModified: toEpochSeconds(project.lastModified),
    badge: { badgeEnabled: false },
    projectVisibility: 'PRIVATE',
  };
}

function renderPhase(phase: PhaseRecord) {
  return {
    phaseType: phase.phaseType,
    ...(phase.phaseStatus !== undefined ? { phaseStatus: phase.phaseStatus } : {}),
    startTime: toEpochSeconds(phase.startTime),
    ...(phase.endTime !== undefined
      ? { endTime: toEpochSeconds(phase.endTime), durationInSeconds: Math.round((phase.endTime - phase.startTime) / 1000) }
      : {}),
    ...(phase.contexts !== undefined ? { contexts: phase.contexts } : {}),
  };
}

export function renderBuild(build: StoredBuild, accountId: string) {
  const groupName = `/aws/codebuild/${build.projectName}`;
  return {
    id: build.id,
    arn: build.arn,
    buildNumber: build.buildNumber,
    startTime: toEpochSeconds(build.startTime),
    ...(build.endTime !== undefined ? { endTime: toEpochSeconds(build.endTime) } : {}),
    currentPhase: build.currentPhase,
    buildStatus: build.buildStatus,
    ...(build.sourceVersion !== undefined ? { sourceVersion: build.sourceVersion } : {}),
    projectName: build.projectName,
    phases: build.phases.map(renderPhase),
    source: build.source,
    secondarySources: [],
    artifacts: { location: '' },
    cache: { type: 'NO_CACHE' },
    environment: build.environment,
    serviceRole: build.serviceRole,
    logs: {
      groupName,
      streamName: build.logStream,
      cloudWatchLogsArn: `arn:aws:logs:${build.region}:${accountId}:log-group:${groupName}:log-stream:${build.logStream}`,
      cloudWatchLogs: { status: 'ENABLED' },
    },
    timeoutInMinutes: build.timeoutInMinutes,
    queuedTimeoutInMinutes: build.queuedTimeoutInMinutes,
    buildComplete: build.buildComplete,
    initiator: 'root',
    encryptionKey: `arn:aws:kms:${build.region}:${accountId}:alias/aws/s3`,
    exportedEnvironmentVariables: build.exportedEnvironmentVariables,
  };
}
