import {
  BatchGetBuildsCommand,
  BatchGetProjectsCommand,
  CodeBuildClient,
  CreateProjectCommand,
  ListBuildsForProjectCommand,
  StartBuildCommand,
  StopBuildCommand,
  UpdateProjectCommand,
  type CreateProjectCommandInput,
} from '@aws-sdk/client-codebuild';
import { CodeBuildProvider } from '../../../../local/aws/codebuild/provider';
import { Faults } from '../../../../local/faults/faults';
import { createTempProject, VALID_DOCKERFILE, type TempProject } from '../support/build-context';
import { phase, waitForBuild } from '../support/builds';
import { errorName } from '../support/errors';
import { clientConfig, startTestEndpoint } from '../support/test-endpoint';

const INLINE_BUILDSPEC = 'version: 0.2\nphases:\n  build:\n    commands:\n      - docker build .\n';

function projectInput(name: string, overrides: Partial<CreateProjectCommandInput> = {}): CreateProjectCommandInput {
  return {
    name,
    source: { type: 'NO_SOURCE', buildspec: INLINE_BUILDSPEC },
    artifacts: { type: 'NO_ARTIFACTS' },
    environment: {
      type: 'LINUX_CONTAINER',
      image: 'aws/codebuild/standard:7.0',
      computeType: 'BUILD_GENERAL1_SMALL',
      privilegedMode: true,
    },
    serviceRole: 'arn:aws:iam::000000000000:role/codebuild',
    ...overrides,
  };
}

/** A provider, an endpoint and a client; pushes go nowhere (these tests do not build images). */
async function startCodeBuild(root: string, buildDurationMs: number) {
  const provider = new CodeBuildProvider(
    { registry: () => ({ repositoryUri: 'unused' }), projectRoot: root, faults: new Faults() },
    { buildDurationMs },
  );
  const endpoint = await startTestEndpoint([provider]);
  const client = new CodeBuildClient(clientConfig(endpoint));
  return {
    client,
    async close() {
      provider.close();
      client.destroy();
      await endpoint.close();
    },
  };
}

let project: TempProject;

beforeAll(() => {
  project = createTempProject();
  project.write('svc/Dockerfile', VALID_DOCKERFILE);
});

afterAll(() => project.cleanup());

describe('projects', () => {
  let codebuild: CodeBuildClient;
  let close: () => Promise<void>;

  beforeAll(async () => {
    ({ client: codebuild, close } = await startCodeBuild(project.root, 0));
  });

  afterAll(() => close());

  it('creates a project with its ARN and defaults, once', async () => {
    const { project: created } = await codebuild.send(new CreateProjectCommand(projectInput('mesh-images')));
    expect(created).toMatchObject({
      name: 'mesh-images',
      arn: 'arn:aws:codebuild:us-east-1:000000000000:project/mesh-images',
      timeoutInMinutes: 60,
      queuedTimeoutInMinutes: 480,
      environment: { privilegedMode: true },
    });
    expect(created?.created).toBeInstanceOf(Date);
    expect(await errorName(codebuild.send(new CreateProjectCommand(projectInput('mesh-images'))))).toBe(
      'ResourceAlreadyExistsException',
    );
  });

  it('validates the request (InvalidInputException)', async () => {
    expect(await errorName(codebuild.send(new CreateProjectCommand(projectInput('x'))))).toBe('InvalidInputException');
    expect(
      await errorName(codebuild.send(new CreateProjectCommand(projectInput('no-role', { serviceRole: undefined })))),
    ).toBe('InvalidInputException');
  });

  it('holds project names to 2-150 characters of the model pattern, worded as AWS validation', async () => {
    const long = `p${'x'.repeat(150)}`;
    await expect(codebuild.send(new CreateProjectCommand(projectInput(long)))).rejects.toMatchObject({
      name: 'InvalidInputException',
      message:
        `2 validation errors detected: Value '${long}' at 'name' failed to satisfy constraint: Member must have length less than or equal to 150; ` +
        `Value '${long}' at 'name' failed to satisfy constraint: Member must satisfy regular expression pattern: [A-Za-z0-9][A-Za-z0-9\\-_]{1,149}`,
    });
    const longest = `p${'x'.repeat(149)}`;
    const { project: created } = await codebuild.send(new CreateProjectCommand(projectInput(longest)));
    expect(created?.name).toBe(longest);
  });

  it('refuses a malformed build id (InvalidInputException) and lists a well-formed unknown one as not found', async () => {
    for (const id of ['no-project-part', 'arn:aws:codebuild:us-east-1:000000000000:build/nocolon']) {
      await expect(codebuild.send(new BatchGetBuildsCommand({ ids: [id] }))).rejects.toMatchObject({
        name: 'InvalidInputException',
        message: 'Invalid build ID provided',
      });
      await expect(codebuild.send(new StopBuildCommand({ id }))).rejects.toMatchObject({ name: 'InvalidInputException' });
    }
    const unknown = 'mesh-images:00000000-0000-4000-8000-000000000000';
    expect((await codebuild.send(new BatchGetBuildsCommand({ ids: [unknown] }))).buildsNotFound).toEqual([unknown]);
  });

  it('returns found projects and lists the rest in projectsNotFound', async () => {
    const result = await codebuild.send(
      new BatchGetProjectsCommand({ names: ['mesh-images', 'arn:aws:codebuild:us-east-1:000000000000:project/mesh-images', 'ghost'] }),
    );
    expect(result.projects?.map((p) => p.name)).toEqual(['mesh-images', 'mesh-images']);
    expect(result.projectsNotFound).toEqual(['ghost']);
  });

  it('updates only the members given', async () => {
    const { project: updated } = await codebuild.send(
      new UpdateProjectCommand({ name: 'mesh-images', description: 'builds the mesh images', timeoutInMinutes: 30 }),
    );
    expect(updated).toMatchObject({ description: 'builds the mesh images', timeoutInMinutes: 30, source: { type: 'NO_SOURCE' } });
    expect(await errorName(codebuild.send(new UpdateProjectCommand({ name: 'ghost', description: 'x' })))).toBe(
      'ResourceNotFoundException',
    );
  });

  it('answers ResourceNotFoundException when starting a build of an unknown project', async () => {
    expect(await errorName(codebuild.send(new StartBuildCommand({ projectName: 'ghost' })))).toBe('ResourceNotFoundException');
  });

  it('lists builds newest first in pages of 100, and reports unknown build ids', async () => {
    await codebuild.send(new CreateProjectCommand(projectInput('many-builds')));
    const started: string[] = [];
    for (let i = 0; i < 101; i++) {
      const { build } = await codebuild.send(new StartBuildCommand({ projectName: 'many-builds' }));
      started.push(build!.id!);
    }
    await waitForBuild(codebuild, started[started.length - 1]);
    const first = await codebuild.send(new ListBuildsForProjectCommand({ projectName: 'many-builds' }));
    expect(first.ids).toHaveLength(100);
    expect(first.ids?.[0]).toBe(started[100]);
    expect(first.nextToken).toBeDefined();
    const second = await codebuild.send(new ListBuildsForProjectCommand({ projectName: 'many-builds', nextToken: first.nextToken }));
    expect(second.ids).toEqual([started[0]]);
    expect(second.nextToken).toBeUndefined();

    const ascending = await codebuild.send(new ListBuildsForProjectCommand({ projectName: 'many-builds', sortOrder: 'ASCENDING' }));
    expect(ascending.ids?.[0]).toBe(started[0]);

    const batch = await codebuild.send(new BatchGetBuildsCommand({ ids: [started[0], 'many-builds:nope'] }));
    expect(batch.builds?.map((b) => [b.id, b.buildNumber])).toEqual([[started[0], 1]]);
    expect(batch.buildsNotFound).toEqual(['many-builds:nope']);

    expect(await errorName(codebuild.send(new ListBuildsForProjectCommand({ projectName: 'ghost' })))).toBe(
      'ResourceNotFoundException',
    );
  });
});

describe('builds that take time', () => {
  let codebuild: CodeBuildClient;
  let close: () => Promise<void>;

  beforeAll(async () => {
    // Long enough that a build is still running when the test looks at it; close() clears the timers.
    ({ client: codebuild, close } = await startCodeBuild(project.root, 60_000));
    await codebuild.send(new CreateProjectCommand(projectInput('slow', { source: { type: 'CODECOMMIT', location: 'svc', buildspec: INLINE_BUILDSPEC } })));
  });

  afterAll(() => close());

  it('stays IN_PROGRESS in an early phase, with no status on the running phase', async () => {
    const { build } = await codebuild.send(new StartBuildCommand({ projectName: 'slow' }));
    const { builds } = await codebuild.send(new BatchGetBuildsCommand({ ids: [build!.id!] }));
    expect(builds?.[0]).toMatchObject({ buildStatus: 'IN_PROGRESS', buildComplete: false, currentPhase: 'SUBMITTED' });
    expect(builds?.[0].phases).toEqual([expect.objectContaining({ phaseType: 'SUBMITTED' })]);
    expect(builds?.[0].phases?.[0].phaseStatus).toBeUndefined();
    await codebuild.send(new StopBuildCommand({ id: build!.id! }));
  });

  it('StopBuild ends the build STOPPED, marks the running phase STOPPED, and cannot stop it twice', async () => {
    const { build } = await codebuild.send(new StartBuildCommand({ projectName: 'slow' }));
    const { build: stopped } = await codebuild.send(new StopBuildCommand({ id: build!.id! }));
    expect(stopped).toMatchObject({ buildStatus: 'STOPPED', buildComplete: true, currentPhase: 'COMPLETED' });
    expect(phase(stopped!, 'SUBMITTED')?.phaseStatus).toBe('STOPPED');
    expect(stopped?.phases?.map((p) => p.phaseType)).toEqual(['SUBMITTED', 'COMPLETED']);

    const { builds } = await codebuild.send(new BatchGetBuildsCommand({ ids: [build!.arn!] }));
    expect(builds?.[0].buildStatus).toBe('STOPPED');
    expect(await errorName(codebuild.send(new StopBuildCommand({ id: build!.id! })))).toBe('InvalidInputException');
    expect(await errorName(codebuild.send(new StopBuildCommand({ id: 'slow:unknown' })))).toBe('ResourceNotFoundException');
  });
});

describe('build duration', () => {
  it('spreads buildDurationMs over the phases', async () => {
    const { client, close } = await startCodeBuild(project.root, 200);
    try {
      await client.send(new CreateProjectCommand(projectInput('timed', { source: { type: 'CODECOMMIT', location: 'svc', buildspec: INLINE_BUILDSPEC } })));
      const { build } = await client.send(new StartBuildCommand({ projectName: 'timed' }));
      const done = await waitForBuild(client, build!.id!);
      expect(done.buildStatus).toBe('SUCCEEDED');
      const elapsed = done.endTime!.getTime() - done.startTime!.getTime();
      expect(elapsed).toBeGreaterThanOrEqual(180);
      for (const p of done.phases!.slice(0, -1)) {
        expect(p.endTime!.getTime() - p.startTime!.getTime()).toBeGreaterThanOrEqual(15);
      }
    } finally {
      await close();
    }
  });
});
