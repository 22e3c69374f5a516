import { createHash } from 'node:crypto';
import { resolve } from 'node:path';
import type { ECSClient } from '@aws-sdk/client-ecs';
import { createEcsApi } from '../../../layers/adapters/ecs';
import { loadImageBuildspec } from '../../../layers/deploy/buildspec';

const ROOT = resolve(__dirname, '../../..');
import { buildUpdateService, deployStages } from '../../../layers/domain/ecs';
import { ensureImage, planImages } from '../../../layers/deploy/images';
import { ensureSecrets } from '../../../layers/deploy/secrets';
import { createCodeBuildApi } from '../../../layers/adapters/codebuild';
import { createEcrApi } from '../../../layers/adapters/ecr';
import { createSfnApi } from '../../../layers/adapters/sfn';
import { createSsmApi } from '../../../layers/adapters/ssm';
import { acquireLock } from '../../../layers/deploy/lock';
import { storeConfiguration } from '../../../layers/deploy/config-store';
import { ensureStage } from '../../../layers/deploy/stage';
import { StepFunctionsBackend } from '../../../layers/executions/sfn-backend';
import { buildRevision } from '../../../layers/rollout/register';
import { newDeploymentId, specHashPrefix } from '../../../layers/executions/execution-name';
import { configParameterNames } from '../../../layers/domain/naming';
import { validateMeshSpec } from '../../../layers/domain/spec/load';
import type { MeshSpec } from '../../../layers/domain/spec/schema';
import { awsLimitIssues, type RecordedCall } from '../../integration/aws-inputs/aws-limits';
import { formatIssues, validateWithBotocore } from '../../integration/aws-inputs/botocore-gate';
import { largeSpec, LONGEST_NAMES } from '../../integration/aws-inputs/large-spec';

/**
 * The inputs the local cloud cannot reach: a mesh with the longest names the schema allows (mesh and services of
 * 63 characters, a cluster of 255), with build contexts. The deploy steps' own functions run against recording
 * clients that answer like AWS for a first deployment (nothing exists yet), so what is checked is exactly what the
 * code would send; every input then goes through the same gate as the recorded ones.
 */
const PREFIX: Record<string, string> = {
  ecs: 'AmazonEC2ContainerServiceV20141113',
  ssm: 'AmazonSSM',
  ecr: 'AmazonEC2ContainerRegistry_V20150921',
  codebuild: 'CodeBuild_20161006',
  sfn: 'AWSStepFunctions',
};

const calls: RecordedCall[] = [];

function named(name: string, message = name): Error {
  return Object.assign(new Error(message), { name });
}

/** A client whose `send` records the command's input as the SDK would serialise it, and answers from `answers`. */
function recordingClient(service: keyof typeof PREFIX, origin: string, answers: Record<string, (input: Record<string, unknown>) => unknown>) {
  return {
    send: async (command: { constructor: { name: string }; input: Record<string, unknown> }) => {
      const operation = command.constructor.name.replace(/Command$/, '');
      // JSON drops undefined members, as the SDK's JSON serialiser does.
      const input = JSON.parse(JSON.stringify(command.input)) as Record<string, unknown>;
      calls.push({ target: `${PREFIX[service]}.${operation}`, input, origin });
      const answer = answers[operation];
      if (!answer) throw new Error(`the recording ${service} client has no answer for ${operation}`);
      return answer(input);
    },
  } as never;
}

function longestSpec(): { raw: Record<string, unknown>; spec: MeshSpec } {
  const raw = largeSpec(LONGEST_NAMES) as Record<string, unknown> & { consul: Record<string, unknown>; clusters: Array<{ services: Array<Record<string, unknown>> }> };
  const hash = (s: string) => createHash('sha256').update(s).digest('hex');
  raw.consul = { ...raw.consul, servers: { count: 5, build: { context: 'docker/consul-server', contentHash: hash('server') } }, dataplane: { build: { context: 'docker/consul-dataplane', contentHash: hash('dataplane') } },
    // A gossip key the deployment creates under the deepest name SSM holds (15 levels, the schema's limit).
    security: { gossip: { keyParameter: Array.from({ length: 15 }, (_, i) => `/level-${i}`).join('') } },
  };
  const first = raw.clusters[0].services[0];
  delete first.image;
  first.build = { context: 'docker/services/users', contentHash: hash('users') };
  const result = validateMeshSpec({ object: raw });
  if (!result.ok) throw new Error(`the longest-names spec is invalid: ${JSON.stringify(result.issues)}`);
  return { raw, spec: result.spec };
}

describe('inputs built for a mesh with the longest names the schema allows', () => {
  const { raw, spec } = longestSpec();
  const deploymentId = newDeploymentId(new Date('2026-12-06T05:00:00Z'), () => 'k3x9q0');
  const account = '111122223333';

  it('records every input of a first deployment, step by step', async () => {
    const ssm = createSsmApi(recordingClient('ssm', 'secrets, config, lock', {
      GetParameter: () => {
        throw named('ParameterNotFound');
      },
      DescribeParameters: () => ({ Parameters: [] }),
      PutParameter: () => ({ Version: 1, Tier: 'Standard' }),
      LabelParameterVersion: () => ({ InvalidLabels: [] }),
    }));
    await acquireLock(configParameterNames(spec).lock, `arn:aws:states:eu-west-1:${account}:execution:deploy-mesh:${'x'.repeat(80)}`, { ssm });
    await ensureSecrets(spec, { ssm });
    await storeConfiguration(spec, deploymentId, { ssm });

    const ecr = createEcrApi(recordingClient('ecr', 'images', {
      DescribeRepositories: () => {
        throw named('RepositoryNotFoundException');
      },
      CreateRepository: (input) => ({ repository: { repositoryUri: `${account}.dkr.ecr.eu-west-1.amazonaws.com/${String(input.repositoryName)}` } }),
      DescribeImages: () => {
        throw named('ImageNotFoundException');
      },
    }));
    const codebuild = createCodeBuildApi(recordingClient('codebuild', 'images', { StartBuild: () => ({ build: { id: 'consul-mesh-image-build:1', currentPhase: 'SUBMITTED' } }) }));
    const images: Record<string, string> = {};
    for (const job of planImages(spec)) images[job.name] = (await ensureImage(job, { ecr, codebuild, project: 'consul-mesh-prod-image-build', sourceBucket: 'consul-mesh-prod-buildsourcebucket-0123abcd', buildspec: loadImageBuildspec({ LAMBDA_TASK_ROOT: ROOT }) }, deploymentId)).imageUri;

    const ecs = recordingClient('ecs', 'stages', {
      DescribeClusters: () => ({ clusters: [], failures: [{ reason: 'MISSING' }] }),
      CreateCluster: (input) => ({ cluster: { clusterName: input.clusterName, status: 'ACTIVE' } }),
      DescribeTaskDefinition: () => {
        throw named('ClientException', 'Unable to describe task definition.');
      },
      RegisterTaskDefinition: (input) => ({ taskDefinition: { taskDefinitionArn: `arn:aws:ecs:eu-west-1:${account}:task-definition/${String(input.family)}:1` } }),
      DescribeServices: () => ({ services: [], failures: [] }),
      CreateService: (input) => ({ service: { serviceName: input.serviceName } }),
    });
    const deps = {
      // The adapter over the recording client: what the deploy step sends, batched as it sends it.
      ecs: createEcsApi(ecs as unknown as ECSClient),
      taskContext: {
        executionRoleArn: `arn:aws:iam::${account}:role/consul-mesh-task-execution`,
        taskRoleArns: { server: `arn:aws:iam::${account}:role/consul-mesh-server-task`, 'ingress-gateway': `arn:aws:iam::${account}:role/consul-mesh-gateway-task`, service: `arn:aws:iam::${account}:role/consul-mesh-service-task` },
        accountId: account,
      },
      serviceContext: { serverRegistryArn: `arn:aws:servicediscovery:eu-west-1:${account}:service/srv-0123456789abcdef` },
    };
    await ensureStage(spec, 'servers', images, deps);
    for (const cluster of spec.clusters) await ensureStage(spec, 'services', images, deps, cluster.name);
    await ensureStage(spec, 'ingress', images, deps);
    // UpdateService of every service, as a later deployment sends it (the builder, with a new revision).
    for (const target of deployStages(spec).flat()) {
      const input = buildUpdateService(spec, target, { taskDefinition: `arn:aws:ecs:eu-west-1:${account}:task-definition/x:2`, ...deps.serviceContext });
      calls.push({ target: `${PREFIX.ecs}.UpdateService`, input: JSON.parse(JSON.stringify(input)), origin: 'update' });
    }

    // A rollout's revision is built from what DescribeTaskDefinition answers: AWS's answer carries its own members
    // (ARN, revision, status, requiresAttributes, registeredAt/By, filled-in container defaults, `host: {}`), none
    // of which RegisterTaskDefinition takes back.
    for (const registered of calls.filter((c) => c.target === `${PREFIX.ecs}.RegisterTaskDefinition` && c.origin === 'stages')) {
      const input = registered.input as { family: string; tags?: unknown; volumes?: unknown[]; containerDefinitions: Array<Record<string, unknown>> };
      const described = {
        ...input,
        tags: undefined,
        taskDefinitionArn: `arn:aws:ecs:eu-west-1:${account}:task-definition/${input.family}:1`,
        revision: 1,
        status: 'ACTIVE',
        compatibilities: ['EC2', 'FARGATE'],
        requiresAttributes: [{ name: 'com.amazonaws.ecs.capability.task-iam-role' }],
        registeredAt: new Date('2026-12-06T05:00:00Z'),
        registeredBy: `arn:aws:sts::${account}:assumed-role/deployer/session`,
        volumes: (input.volumes ?? []).map((v) => ({ ...(v as object), host: {} })),
        placementConstraints: [],
        containerDefinitions: input.containerDefinitions.map((c) => ({ cpu: 0, mountPoints: [], volumesFrom: [], systemControls: [], ...c })),
      };
      const container = input.containerDefinitions[0].name as string;
      const revision = buildRevision(described as never, container, `${account}.dkr.ecr.eu-west-1.amazonaws.com/next:2`, input.tags as never);
      calls.push({ target: `${PREFIX.ecs}.RegisterTaskDefinition`, input: JSON.parse(JSON.stringify(revision)), origin: 'rollout revision' });
    }

    const sfn = createSfnApi(recordingClient('sfn', 'start', {
      ListExecutions: () => ({ executions: [] }),
      StartExecution: (input) => ({ executionArn: `arn:aws:states:eu-west-1:${account}:execution:deploy-mesh:${String(input.name)}` }),
    }));
    const backend = new StepFunctionsBackend({ sfn, stateMachineArn: `arn:aws:states:eu-west-1:${account}:stateMachine:deploy-mesh` });
    await backend.start({ mesh: spec.name, deploymentId, specHash12: specHashPrefix(spec), input: { deploymentId, spec: raw, settings: { pollSeconds: 5, maxRounds: 120 } } });

    const targets = new Set(calls.map((c) => c.target));
    for (const op of ['RegisterTaskDefinition', 'CreateService', 'CreateCluster', 'UpdateService']) expect(targets).toContain(`${PREFIX.ecs}.${op}`);
    for (const op of ['AmazonSSM.PutParameter', 'CodeBuild_20161006.StartBuild', 'AWSStepFunctions.StartExecution', 'AmazonEC2ContainerRegistry_V20150921.CreateRepository']) {
      expect(targets).toContain(op);
    }
  });

  it('finds no problem in them: botocore models and documented limits', () => {
    const report = validateWithBotocore(calls);
    expect(report.checked).toBe(calls.length);
    expect(formatIssues([...report.errors, ...calls.flatMap(awsLimitIssues)])).toBe('');
  });
});
