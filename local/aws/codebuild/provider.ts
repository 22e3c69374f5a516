/**
 * AWS CodeBuild, as the AWS JSON 1.1 protocol serves it (`X-Amz-Target: CodeBuild_20161006.<Operation>`).
 * Projects and builds are kept per region; builds run through the real phases on timers (see `runner.ts`) and
 * simulate a Docker build (see `simulation.ts`), pushing the image into the local ECR.
 */
import { randomUUID } from 'node:crypto';
import type { Faults } from '../../faults/faults';
import type { ImageRegistry } from '../ecr/provider';
import { AwsServiceError, type OperationHandler, type RequestContext, type ServiceProvider } from '../protocol';
import { page } from '../pagination';
import { AccountRegionStores } from '../stores';
import { TIMED_PHASES } from './phases';
import { renderBuild, renderProject } from './render';
import { BuildRunner, logLine } from './runner';
import * as schemas from './schemas';
import { BuildSimulation, type PushImage, type SimulationDependencies } from './simulation';
import { CodeBuildStore, type CodeBuildRegionSnapshot, type StoredBuild, type StoredProject } from './store';
import { invalidInput, parseInput } from './validation';

export interface CodeBuildDependencies {
  /** Where built images go: the local ECR, or just its push function. */
  readonly registry: ImageRegistry | PushImage;
  /** Local source locations (`source.location`, e.g. `docker/services/users`) are relative to this directory. */
  readonly projectRoot: string;
  readonly faults: Faults;
  /** The local S3: builds with an S3 source (`<bucket>/<key>.zip`) download it from there. */
  readonly s3?: SimulationDependencies['s3'];
  /** IAM: the build's service role is checked for what the build does (see SimulationDependencies). */
  readonly serviceRoleDenial?: SimulationDependencies['serviceRoleDenial'];
}

export interface CodeBuildOptions {
  /** Wall-clock time of a whole build, spread evenly over its phases. 0 (the default) runs phases back to back. */
  readonly buildDurationMs?: number;
}

/** Builds per page of ListBuilds / ListBuildsForProject, as CodeBuild pages them. */
const BUILD_IDS_PAGE = 100;
/** "The token ... is valid for 5 minutes" (StartBuild's idempotencyToken). */
const IDEMPOTENCY_WINDOW_MS = 5 * 60 * 1000;

/** Every region's projects and finished builds. */
export interface CodeBuildSnapshot {
  readonly regions: Record<string, CodeBuildRegionSnapshot>;
}

export class CodeBuildProvider implements ServiceProvider {
  readonly targetPrefix = 'CodeBuild_20161006';
  readonly jsonVersion = '1.1' as const;
  readonly signingName = 'codebuild';
  readonly operations: Record<string, OperationHandler> = {
    CreateProject: (input, ctx) => this.changed(this.createProject(input, ctx)),
    UpdateProject: (input, ctx) => this.changed(this.updateProject(input, ctx)),
    BatchGetProjects: (input, ctx) => this.batchGetProjects(input, ctx),
    DeleteProject: (input, ctx) => this.changed(this.deleteProject(input, ctx)),
    ListProjects: (input, ctx) => this.listProjects(input, ctx),
    StartBuild: (input, ctx) => this.changed(this.startBuild(input, ctx)),
    BatchGetBuilds: (input, ctx) => this.batchGetBuilds(input, ctx),
    StopBuild: (input, ctx) => this.changed(this.stopBuild(input, ctx)),
    ListBuildsForProject: (input, ctx) => this.listBuildsForProject(input, ctx),
    ListBuilds: (input, ctx) => this.listBuilds(input, ctx),
  };

  private readonly stores = new AccountRegionStores(() => new CodeBuildStore());
  private readonly runner: BuildRunner;
  private readonly push: PushImage;
  private changes = 0;

  constructor(
    private readonly deps: CodeBuildDependencies,
    options: CodeBuildOptions = {},
  ) {
    this.runner = new BuildRunner(Math.max(0, options.buildDurationMs ?? 0) / TIMED_PHASES, () => {
      this.changes += 1;
    });
    const { registry } = deps;
    this.push = typeof registry === 'function' ? registry : (...args) => registry.pushImage(...args);
  }

  /**
   * Grows with every change of a project and whenever a build starts or completes: the local cloud's persistence
   * polls it to know when to save.
   */
  get revision(): number {
    return this.changes;
  }

  /** Every region's projects and completed builds as plain data. */
  exportSnapshot(): CodeBuildSnapshot {
    const regions: Record<string, CodeBuildRegionSnapshot> = {};
    for (const [region, store] of this.stores.byRegion()) regions[region] = store.exportState();
    return { regions };
  }

  /** Replaces the state with a saved one; call before any build starts (running builds are not touched). */
  importSnapshot(snapshot: CodeBuildSnapshot): void {
    this.stores.clear();
    for (const [region, saved] of Object.entries(snapshot.regions)) this.store(region).importState(saved);
    this.changes += 1;
  }

  /** Counts a write (see {@link CodeBuildProvider.revision}) and passes its result through. */
  private changed<T>(result: T): T {
    this.changes += 1;
    return result;
  }

  /** Stop every build timer (builds still running stay IN_PROGRESS). */
  close(): void {
    this.runner.close();
  }

  /** The build's log lines (what CodeBuild writes to its CloudWatch Logs stream), or undefined if unknown. */
  buildLog(region: string, buildId: string): readonly string[] | undefined {
    return this.store(region).builds.get(this.buildIdOf(buildId))?.log;
  }

  /** The projects and builds of one account and region (created on first use). */
  private store(region: string, accountId?: string): CodeBuildStore {
    return this.stores.get(region, accountId);
  }


  private projectArn(ctx: RequestContext, name: string): string {
    return `arn:aws:codebuild:${ctx.region}:${ctx.accountId}:project/${name}`;
  }

  /** Projects may be named by name or ARN. */
  private projectNameOf(reference: string): string {
    const match = /^arn:aws:codebuild:[^:]+:\d+:project\/(.+)$/.exec(reference);
    return match ? match[1] : reference;
  }

  /**
   * Builds may be named by id (`project:uuid`) or ARN. An id without its `project:` part is not an id at all:
   * CodeBuild refuses it (`InvalidInputException: Invalid build ID provided`) where an unknown well-formed id is
   * only not found.
   */
  private buildIdOf(reference: string): string {
    const match = /^arn:aws:codebuild:[^:]+:\d+:build\/(.+)$/.exec(reference);
    return match ? match[1] : reference;
  }

  /** {@link buildIdOf} for the API: a malformed id is an `InvalidInputException`. */
  private requestedBuildId(reference: string): string {
    const id = this.buildIdOf(reference);
    if (!/^[A-Za-z0-9][A-Za-z0-9\-_]{1,149}:[^:\s]+$/.test(id)) throw invalidInput('Invalid build ID provided');
    return id;
  }

  private requireProject(ctx: RequestContext, reference: string): StoredProject {
    const name = this.projectNameOf(reference);
    const project = this.store(ctx.region, ctx.accountId).projects.get(name);
    if (!project) throw new AwsServiceError('ResourceNotFoundException', `Project cannot be found: ${this.projectArn(ctx, name)}`);
    return project;
  }

  private createProject(input: unknown, ctx: RequestContext) {
    const request = parseInput(schemas.createProjectInput, input);
    const store = this.store(ctx.region, ctx.accountId);
    const arn = this.projectArn(ctx, request.name);
    if (store.projects.has(request.name)) {
      throw new AwsServiceError('ResourceAlreadyExistsException', `Project already exists: ${arn}`);
    }
    const now = Date.now();
    const project: StoredProject = {
      name: request.name,
      arn,
      description: request.description,
      source: request.source,
      artifacts: request.artifacts,
      environment: request.environment,
      serviceRole: request.serviceRole,
      timeoutInMinutes: request.timeoutInMinutes ?? 60,
      queuedTimeoutInMinutes: request.queuedTimeoutInMinutes ?? 480,
      tags: request.tags ?? [],
      created: now,
      lastModified: now,
      lastBuildNumber: 0,
    };
    store.projects.set(project.name, project);
    return { project: renderProject(project) };
  }

  /** Only the members given change; structures (source, environment, ...) are replaced as a whole. */
  private updateProject(input: unknown, ctx: RequestContext) {
    const request = parseInput(schemas.updateProjectInput, input);
    const project = this.requireProject(ctx, request.name);
    if (request.description !== undefined) project.description = request.description;
    if (request.source) project.source = request.source;
    if (request.artifacts) project.artifacts = request.artifacts;
    if (request.environment) project.environment = request.environment;
    if (request.serviceRole !== undefined) project.serviceRole = request.serviceRole;
    if (request.timeoutInMinutes !== undefined) project.timeoutInMinutes = request.timeoutInMinutes;
    if (request.queuedTimeoutInMinutes !== undefined) project.queuedTimeoutInMinutes = request.queuedTimeoutInMinutes;
    if (request.tags) project.tags = request.tags;
    project.lastModified = Date.now();
    return { project: renderProject(project) };
  }

  private batchGetProjects(input: unknown, ctx: RequestContext) {
    const request = parseInput(schemas.batchGetProjectsInput, input);
    const store = this.store(ctx.region, ctx.accountId);
    const projects: ReturnType<typeof renderProject>[] = [];
    const projectsNotFound: string[] = [];
    for (const reference of request.names) {
      const project = store.projects.get(this.projectNameOf(reference));
      if (project) projects.push(renderProject(project));
      else projectsNotFound.push(reference);
    }
    return { projects, projectsNotFound };
  }

  private deleteProject(input: unknown, ctx: RequestContext) {
    const request = parseInput(schemas.deleteProjectInput, input);
    this.store(ctx.region, ctx.accountId).projects.delete(this.projectNameOf(request.name));
    return {};
  }

  private listProjects(input: unknown, ctx: RequestContext) {
    const request = parseInput(schemas.listProjectsInput, input);
    const key = request.sortBy ?? 'LAST_MODIFIED_TIME';
    const projects = [...this.store(ctx.region, ctx.accountId).projects.values()].sort((a, b) => {
      if (key === 'NAME') return a.name < b.name ? -1 : a.name > b.name ? 1 : 0;
      return key === 'CREATED_TIME' ? a.created - b.created : a.lastModified - b.lastModified;
    });
    if ((request.sortOrder ?? 'DESCENDING') === 'DESCENDING') projects.reverse();
    const result = page(projects.map((p) => p.name), BUILD_IDS_PAGE, request.nextToken, 'InvalidInputException');
    return { projects: result.items, nextToken: result.nextToken };
  }

  /**
   * A StartBuild repeated with the same idempotency token within 5 minutes returns the build the token started;
   * the same token with other parameters is refused.
   */
  private idempotentBuild(ctx: RequestContext, request: schemas.StartBuildInput): StoredBuild | undefined {
    if (request.idempotencyToken === undefined) return undefined;
    const store = this.store(ctx.region, ctx.accountId);
    const earlier = store.idempotencyTokens.get(request.idempotencyToken);
    if (!earlier || earlier.expiresAt < Date.now()) return undefined;
    if (earlier.request !== JSON.stringify(request)) {
      throw invalidInput(
        `The idempotency token ${request.idempotencyToken} was already used with different request parameters.`,
      );
    }
    return store.builds.get(earlier.buildId);
  }

  private startBuild(input: unknown, ctx: RequestContext) {
    const request = parseInput(schemas.startBuildInput, input);
    const project = this.requireProject(ctx, request.projectName);
    const repeated = this.idempotentBuild(ctx, request);
    if (repeated) return { build: renderBuild(repeated, ctx.accountId) };
    const buildNumber = ++project.lastBuildNumber;
    const id = `${project.name}:${randomUUID()}`;
    // StartBuild overrides replace the project's settings for this build only; environment variables are
    // overridden by name.
    const variables = new Map((project.environment.environmentVariables ?? []).map((v) => [v.name, v]));
    for (const variable of request.environmentVariablesOverride ?? []) variables.set(variable.name, variable);
    const build: StoredBuild = {
      id,
      arn: `arn:aws:codebuild:${ctx.region}:${ctx.accountId}:build/${id}`,
      buildNumber,
      projectName: project.name,
      region: ctx.region,
      startTime: Date.now(),
      currentPhase: 'SUBMITTED',
      buildStatus: 'IN_PROGRESS',
      buildComplete: false,
      sourceVersion: request.sourceVersion,
      source: {
        ...project.source,
        ...(request.sourceTypeOverride !== undefined ? { type: request.sourceTypeOverride } : {}),
        ...(request.sourceLocationOverride !== undefined ? { location: request.sourceLocationOverride } : {}),
        ...(request.buildspecOverride !== undefined ? { buildspec: request.buildspecOverride } : {}),
      },
      environment: {
        ...project.environment,
        ...(request.environmentTypeOverride !== undefined ? { type: request.environmentTypeOverride } : {}),
        ...(request.imageOverride !== undefined ? { image: request.imageOverride } : {}),
        ...(request.computeTypeOverride !== undefined ? { computeType: request.computeTypeOverride } : {}),
        ...(request.privilegedModeOverride !== undefined ? { privilegedMode: request.privilegedModeOverride } : {}),
        environmentVariables: [...variables.values()],
      },
      serviceRole: project.serviceRole,
      timeoutInMinutes: request.timeoutInMinutesOverride ?? project.timeoutInMinutes,
      queuedTimeoutInMinutes: request.queuedTimeoutInMinutesOverride ?? project.queuedTimeoutInMinutes,
      logStream: id.slice(project.name.length + 1),
      phases: [],
      exportedEnvironmentVariables: [],
      log: [],
    };
    this.store(ctx.region, ctx.accountId).builds.set(id, build);
    if (request.idempotencyToken !== undefined) {
      this.store(ctx.region, ctx.accountId).idempotencyTokens.set(request.idempotencyToken, {
        buildId: id,
        request: JSON.stringify(request),
        expiresAt: Date.now() + IDEMPOTENCY_WINDOW_MS,
      });
    }
    const log = (line: string) => build.log.push(logLine(line));
    const simulation = new BuildSimulation(
      build,
      { projectRoot: this.deps.projectRoot, faults: this.deps.faults, push: this.push, s3: this.deps.s3, serviceRoleDenial: this.deps.serviceRoleDenial },
      log,
    );
    this.runner.start(build, simulation);
    return { build: renderBuild(build, ctx.accountId) };
  }

  private batchGetBuilds(input: unknown, ctx: RequestContext) {
    const request = parseInput(schemas.batchGetBuildsInput, input);
    const store = this.store(ctx.region, ctx.accountId);
    const builds: ReturnType<typeof renderBuild>[] = [];
    const buildsNotFound: string[] = [];
    for (const reference of request.ids) {
      const build = store.builds.get(this.requestedBuildId(reference));
      if (build) builds.push(renderBuild(build, ctx.accountId));
      else buildsNotFound.push(reference);
    }
    return { builds, buildsNotFound };
  }

  private stopBuild(input: unknown, ctx: RequestContext) {
    const request = parseInput(schemas.stopBuildInput, input);
    const build = this.store(ctx.region, ctx.accountId).builds.get(this.requestedBuildId(request.id));
    if (!build) throw new AwsServiceError('ResourceNotFoundException', `Build cannot be found: ${request.id}`);
    if (build.buildComplete) throw invalidInput(`Build ${build.id} is already complete and cannot be stopped.`);
    this.runner.stop(build.id);
    return { build: renderBuild(build, ctx.accountId) };
  }

  /** Newest first unless `sortOrder` is ASCENDING; 100 ids per page. */
  private buildIdsPage(builds: StoredBuild[], sortOrder: string | undefined, nextToken: string | undefined) {
    const ids = builds.map((b) => b.id);
    if ((sortOrder ?? 'DESCENDING') === 'DESCENDING') ids.reverse();
    const result = page(ids, BUILD_IDS_PAGE, nextToken, 'InvalidInputException');
    return { ids: result.items, nextToken: result.nextToken };
  }

  private listBuildsForProject(input: unknown, ctx: RequestContext) {
    const request = parseInput(schemas.listBuildsForProjectInput, input);
    const project = this.requireProject(ctx, request.projectName);
    const builds = [...this.store(ctx.region, ctx.accountId).builds.values()].filter((b) => b.projectName === project.name);
    return this.buildIdsPage(builds, request.sortOrder, request.nextToken);
  }

  private listBuilds(input: unknown, ctx: RequestContext) {
    const request = parseInput(schemas.listBuildsInput, input);
    return this.buildIdsPage([...this.store(ctx.region, ctx.accountId).builds.values()], request.sortOrder, request.nextToken);
  }
}
