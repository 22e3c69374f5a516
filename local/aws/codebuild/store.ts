/** The projects and builds of one region. */
import type { BuildStatus, PhaseStatus, PhaseType } from './phases';
import type { EnvironmentVariable, ProjectArtifacts, ProjectEnvironment, ProjectSource } from './schemas';

export interface StoredProject {
  readonly name: string;
  readonly arn: string;
  description?: string;
  source: ProjectSource;
  artifacts: ProjectArtifacts;
  environment: ProjectEnvironment;
  serviceRole: string;
  timeoutInMinutes: number;
  queuedTimeoutInMinutes: number;
  tags: { key: string; value: string }[];
  /** Epoch milliseconds. */
  readonly created: number;
  lastModified: number;
  /** Build numbers start at 1 per project. */
  lastBuildNumber: number;
}

export interface PhaseContext {
  readonly statusCode: string;
  readonly message: string;
}

export interface PhaseRecord {
  readonly phaseType: PhaseType;
  /** Absent while the phase runs, and on COMPLETED (as CodeBuild reports them). */
  phaseStatus?: PhaseStatus;
  /** Epoch milliseconds. */
  readonly startTime: number;
  endTime?: number;
  contexts?: PhaseContext[];
}

export interface StoredBuild {
  readonly id: string;
  readonly arn: string;
  readonly buildNumber: number;
  readonly projectName: string;
  readonly region: string;
  readonly startTime: number;
  endTime?: number;
  currentPhase: PhaseType;
  buildStatus: BuildStatus;
  buildComplete: boolean;
  readonly sourceVersion?: string;
  readonly source: ProjectSource;
  readonly environment: ProjectEnvironment & { environmentVariables: EnvironmentVariable[] };
  readonly serviceRole: string;
  readonly timeoutInMinutes: number;
  readonly queuedTimeoutInMinutes: number;
  readonly logStream: string;
  readonly phases: PhaseRecord[];
  exportedEnvironmentVariables: { name: string; value: string }[];
  /** The build's log, line by line (what CodeBuild sends to CloudWatch Logs). */
  readonly log: string[];
}

/** A StartBuild idempotency token: the build it started and the request it came with. */
export interface IdempotentStart {
  readonly buildId: string;
  readonly request: string;
  /** Epoch milliseconds after which the token may start a new build. */
  readonly expiresAt: number;
}

/**
 * One region's projects and finished builds as the local cloud's persistence saves them. Builds still running are
 * left out (their simulated phases cannot resume), and so are the idempotency tokens (valid for 5 minutes only).
 */
export interface CodeBuildRegionSnapshot {
  readonly projects: StoredProject[];
  /** Completed builds, in start order. */
  readonly builds: StoredBuild[];
}

export class CodeBuildStore {
  readonly projects = new Map<string, StoredProject>();
  /** In start order. */
  readonly builds = new Map<string, StoredBuild>();
  readonly idempotencyTokens = new Map<string, IdempotentStart>();

  /** Projects and completed builds as plain data (deep copies). */
  exportState(): CodeBuildRegionSnapshot {
    return structuredClone({ projects: [...this.projects.values()], builds: [...this.builds.values()].filter((b) => b.buildComplete) });
  }

  /** Replaces projects and builds with saved ones. */
  importState(saved: CodeBuildRegionSnapshot): void {
    this.projects.clear();
    this.builds.clear();
    this.idempotencyTokens.clear();
    for (const project of structuredClone(saved.projects)) this.projects.set(project.name, project);
    for (const build of structuredClone(saved.builds)) this.builds.set(build.id, build);
  }
}
