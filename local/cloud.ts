import './polyfills';
import { randomUUID } from 'node:crypto';
import { resolve } from 'node:path';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { Faults } from './faults/faults';
import { AwsServiceError, LOCAL_ACCOUNT_ID } from './aws/protocol';
import { startAwsEndpoint, type AwsEndpoint } from './aws/server';
import { EcsSimulation, type EcsTaskSnapshot } from './aws/ecs/simulation';
import type { TaskDefinitionRecord } from './aws/ecs/model';
import type { ProcessOutcome } from './aws/ecs/task-lifecycle';
import type { EcsDelays } from './aws/ecs/options';
import { SsmProvider } from './aws/ssm/provider';
import { LogsProvider } from './aws/logs/provider';
import { EcrProvider } from './aws/ecr/provider';
import { CodeBuildProvider } from './aws/codebuild/provider';
import { S3Provider } from './aws/s3/provider';
import { S3Error } from './aws/s3/errors';
import { EventsProvider, type AwsEvent } from './aws/events/provider';
import { LambdaRuntime, RegionalLambdas } from './aws/lambda';
import { StepFunctionsProvider, deployStateMachines } from './aws/stepfunctions';
import { HttpApiServer } from './http-api';
import { ConsulServer, PeeringNetwork, type QuorumSource } from './consul';
import { loadServerlessConfig, type ServerlessConfig } from './serverless';
import { resolveIntrinsics, resourceTypesOf } from './serverless/intrinsics';
import type { ProductConventions } from './conventions';
import { deployRules } from './rules';
import { handleAdminRoute } from './admin';
import { syncConsulAcl } from './consul-acl';
import { loadPackagedTemplate, type PackagedTemplate } from './serverless/package';
import { IamAuthorizer } from './aws/iam/authorizer';
import { readTemplateRoles, type TemplateRoles } from './aws/iam/roles';
import { executionRoleError } from './aws/iam/task-start';
import { DEFAULT_LOCAL_CREDENTIALS } from './aws/sigv4';
import { TaskError } from './aws/stepfunctions/tasks';
import { taskProcesses } from './task-processes';
import { TlsTrustLedger } from './task-processes/tls-trust';
import { serverNodeId } from './task-processes/server-health';
import { parameterValue, registryDigest } from './task-processes/aws-values';
import {
  CODEBUILD_STATE,
  CONSUL_STATE,
  ECR_STATE,
  ECS_STATE,
  EVENTS_STATE,
  LOCAL_STATE_FORMATS,
  loadSavedState,
  persistedServices,
  restoreService,
  S3_STATE,
  SSM_STATE,
  StatePersister,
  STEP_FUNCTIONS_STATE,
  type StateFormat,
} from './persistence';

/**
 * The local cloud: every emulated service in one process, wired as on AWS.
 *
 * ECS task events go to EventBridge, whose rules (from serverless.yml) invoke the functions in the Lambda runtime;
 * Step Functions runs the ASL files of serverless.yml with those functions; CodeBuild pushes into ECR; the Consul
 * emulator elects a leader only while a quorum of the server tasks ECS runs is up. The functions get the local
 * endpoints through the same variables the SDK and our config read on AWS (`AWS_ENDPOINT_URL`, `CONSUL_HTTP_ADDR`).
 */
export interface LocalCloudOptions {
  /** The names the product chooses (its Consul servers' ECS service, their secrets, its mesh names): `conventions.ts`. */
  conventions: ProductConventions;
  /** The project root: where serverless.yml, state-machines/ and the build contexts are. */
  rootDir?: string;
  /**
   * Ports (0 = a free port): AWS 4566, Consul 8500, HTTP API 3000 by default; `peerConsul` (8510) is the second
   * region's Consul datacenter and `peerHttpApi` (3010) its orchestrator's HTTP API, with `peerRegion` only.
   */
  ports?: { aws?: number; consul?: number; httpApi?: number; peerConsul?: number; peerHttpApi?: number };
  /** The serverless stage; `local` has the local cloud's parameters. */
  stage?: string;
  /**
   * The mesh the local orchestrator manages (serverless.yml's `meshName` parameter, as `--param="meshName=..."`
   * sets it on AWS, one stack per mesh); default the parameter's own default, `reference-mesh`.
   */
  meshName?: string;
  region?: string;
  /**
   * A second region in the same process (opt-in, `--peer-region`): the AWS endpoint already keeps ECS, SSM, ECR,
   * S3 and the rest per region (the region of each request's SigV4 scope); this adds that region's own Consul
   * datacenter on its own port, led by the Consul server tasks ECS runs in that region, and joins both datacenters
   * to one peering network so they can peer (local/consul/peering/). The orchestrator runs there too, as a second
   * stack of serverless.yml deployed with `--region <region> --param="meshName=<meshName>"` would: its functions
   * (with that region's Consul address and their own roles), state machines, EventBridge rules and schedules, and
   * its own HTTP API (`ports.peerHttpApi`, 3010). `meshName` is the mesh that stack manages (default
   * serverless.yml's, as for the first region).
   */
  peerRegion?: { region: string; datacenter?: string; meshName?: string };
  /** ECS task lifecycle delays; zeros for tests. */
  ecsDelays?: Partial<EcsDelays>;
  /**
   * How long a Consul server task that joins a running datacenter takes to catch up and be promoted to a voter
   * (local/consul/leadership.ts); default 0 (at once). Until then it holds no copy of the state and autopilot's
   * health (the server image's health check) reports it as a non-voter.
   */
  consulServerCatchUpMs?: number;
  /** Wall-clock time of a CodeBuild build. */
  buildDurationMs?: number;
  /**
   * How long a consul-dataplane container's Envoy may wait for its proxy stream (the servers refuse it without
   * `service:write` on the destination) before its health check fails (local/task-processes). Default 30 s.
   */
  dataplaneReadyTimeoutMs?: number;
  /** Multiplies Step Functions Wait/Retry durations (0 skips waits). */
  stepFunctionsTimeScale?: number;
  /** Lambda's async retry delays for EventBridge deliveries (AWS: 1 min, 2 min). */
  eventRetryDelaysMs?: number[];
  /** The HTTP API's bearer token; default MESH_API_TOKEN from the environment, else `local-dev-token-change-me`. */
  apiToken?: string;
  /** Extra environment for every function (e.g. POLL_SECONDS for tests). */
  functionEnvironment?: Record<string, string>;
  /**
   * Whether the functions' stdout/stderr also reach this process's (default true), or which of their writes do.
   * Either way every line goes to the function's log group in the local CloudWatch Logs, as on Lambda.
   */
  echoFunctionLogs?: boolean | ((line: string) => boolean);
  faultSeed?: number;
  /** Where logs of the emulators go; default stderr. */
  logger?: (message: string, error?: unknown) => void;
  /**
   * Told what a slow start is doing (packaging serverless.yml when it is not cached: about half a minute), so a
   * command can show it; default silent (tests).
   */
  progress?: (message: string) => void;
  /**
   * Keep the state in this directory across restarts (one JSON file per service, written atomically within about
   * half a second of a change and on stop; see `local/persistence/local-state.ts` for what is kept). Without it the
   * state lives in memory only. A saved file that cannot be read makes `start` fail with a `PersistedStateError`
   * naming it.
   */
  dataDir?: string;
  /** With `dataDir`: discard the saved state and start empty. */
  resetData?: boolean;
  /**
   * IAM enforcement (default on): every AWS call is evaluated against its caller's policies from the packaged
   * template. `false` (`--no-iam`) is for experiments only: every principal may do anything.
   */
  iam?: boolean;
  /**
   * Changes the packaged template before the local cloud reads its roles: a test takes a permission away and
   * watches the deployment fail as on AWS.
   */
  packagedTemplate?: (template: PackagedTemplate) => PackagedTemplate;
}

/** The local stage's documented API token (serverless.yml params.local.localApiToken); public, local use only. */
export const LOCAL_DEFAULT_API_TOKEN = 'local-dev-token-change-me';

export interface LocalEndpoints {
  aws: string;
  consul: string;
  httpApi: string;
  /** With a second region: its name, its Consul datacenter's URL and its orchestrator's HTTP API. */
  peer?: { region: string; consul: string; httpApi: string };
}

/** The second region (`peerRegion`): its Consul datacenter and its own stack of the orchestrator. */
export interface PeerRegion {
  readonly region: string;
  readonly consul: ConsulServer;
  /** serverless.yml resolved for that region and its mesh. */
  readonly config: ServerlessConfig;
  readonly lambda: LambdaRuntime;
  readonly httpApi: HttpApiServer;
  /** Its state machines' ARNs by key (`deployMesh`, ...). */
  readonly stateMachines: Record<string, string>;
  /** Its S3 buckets: logical id → bucket name. */
  readonly buckets: Record<string, string>;
}

export class LocalCloud {
  /** The HTTP API's bearer token in force (MESH_API_TOKEN, else the local default). */
  apiToken = LOCAL_DEFAULT_API_TOKEN;
  /** The S3 buckets of serverless.yml's resources: logical id → bucket name. */
  buckets: Record<string, string> = {};
  /** Which running servers and dataplanes trust each other's TLS certificates (task-processes/tls-trust.ts). */
  tlsTrust?: TlsTrustLedger;

  private constructor(
    readonly config: ServerlessConfig,
    readonly faults: Faults,
    readonly aws: AwsEndpoint,
    readonly ecs: EcsSimulation,
    readonly ssm: SsmProvider,
    readonly ecr: EcrProvider,
    readonly codebuild: CodeBuildProvider,
    readonly s3: S3Provider,
    readonly events: EventsProvider,
    readonly lambda: LambdaRuntime,
    readonly stepFunctions: StepFunctionsProvider,
    readonly consul: ConsulServer,
    readonly httpApi: HttpApiServer,
    readonly stateMachines: Record<string, string>,
    /** Who may call what: the roles of the packaged template, the sessions handed out, the denials. */
    readonly iam: IamAuthorizer,
    /** Saves the state while running (with `dataDir` only); `flush()` forces a save. */
    readonly persistence?: StatePersister,
    /** The second region: its Consul datacenter and its orchestrator (`peerRegion`). */
    readonly peer?: PeerRegion,
    /** Every region's functions, by the region of their ARNs. */
    private readonly lambdas?: RegionalLambdas,
  ) {}

  /** Starts every service; resolves once all listen and serverless.yml is deployed into them. */
  static async start(options: LocalCloudOptions): Promise<LocalCloud> {
    const { conventions } = options;
    const serverService = conventions.consulServerService;
    const rootDir = resolve(options.rootDir ?? process.cwd());
    const region = options.region ?? 'us-east-1';
    const peerRegion = options.peerRegion?.region;
    if (peerRegion !== undefined && !/^[a-z]{2}(-[a-z]+)+-\d$/.test(peerRegion)) throw new Error(`not a region: ${JSON.stringify(peerRegion)}`);
    if (peerRegion === region) throw new Error(`the peer region must differ from the region (${region})`);
    const stage = options.stage ?? 'local';
    const log = options.logger ?? ((message: string, error?: unknown) => console.error(`[local] ${message}`, error ?? ''));
    const faults = new Faults(options.faultSeed ?? 1);
    const apiToken = options.apiToken ?? process.env.MESH_API_TOKEN;
    if (apiToken !== undefined && apiToken.length < 16) throw new Error('MESH_API_TOKEN must be at least 16 characters');
    // The saved state is read and validated first: a bad file stops the start before any port is bound.
    const dataDir = options.dataDir === undefined ? undefined : resolve(options.dataDir);
    const saved = dataDir === undefined ? undefined : await loadSavedState(dataDir, LOCAL_STATE_FORMATS, { reset: options.resetData });
    const restore = <T>(format: StateFormat<T>, apply: (data: T) => void) => restoreService(saved, dataDir, format, apply);

    for (const meshName of [options.meshName, options.peerRegion?.meshName]) {
      if (meshName !== undefined && !conventions.meshName.pattern.test(meshName)) throw new Error(`not a mesh name: ${JSON.stringify(meshName)} (${conventions.meshName.hint})`);
    }
    // The second region's stack is packaged and printed with its own region and mesh (cached like the first's).
    const [{ config, roles }, peerStack] = await Promise.all([
      loadRegionStack(rootDir, { stage, region, names: stage, meshName: options.meshName, packagedTemplate: options.packagedTemplate, progress: options.progress }),
      peerRegion === undefined
        ? undefined
        : loadRegionStack(rootDir, { stage, region: peerRegion, names: peerNames(stage, peerRegion), meshName: options.peerRegion?.meshName, packagedTemplate: options.packagedTemplate, progress: options.progress }),
    ]);
    const iam = new IamAuthorizer({ accountId: LOCAL_ACCOUNT_ID, administrator: DEFAULT_LOCAL_CREDENTIALS, enforce: options.iam ?? true });
    for (const [roleArn, policies] of roles.policies) iam.defineRole(roleArn, policies);
    for (const [roleArn, policies] of peerStack?.roles.policies ?? []) iam.defineRole(roleArn, policies);

    const ssm = new SsmProvider();
    const logs = new LogsProvider();
    const ecr = new EcrProvider();
    const s3 = new S3Provider();
    const codebuild = new CodeBuildProvider(
      {
        registry: ecr,
        projectRoot: rootDir,
        faults,
        s3: s3.store,
        // CodeBuild acts with the project's service role, one session per build.
        serviceRoleDenial: (build, requests) => {
          const { principal } = iam.assumeRole(build.serviceRole, `AWSCodeBuild-${build.id.slice(build.id.lastIndexOf(':') + 1)}`);
          try {
            iam.authorize(principal, requests);
            return undefined;
          } catch (error) {
            return (error as Error).message;
          }
        },
      },
      { buildDurationMs: options.buildDurationMs ?? 0 },
    );
    // Event faults are applied where task events leave ECS, not again in EventBridge.
    // EventBridge needs the Lambda runtime, which needs the endpoint URL: the runtime is attached once it exists.
    // A target's ARN names its region: the rules of each region invoke that region's functions only.
    const lambdaRef: { current?: RegionalLambdas } = {};
    const events = new EventsProvider({
      invokeLambda: async (arn, event) => {
        await lambdaRef.current?.invokeByArn(arn, event);
      },
      retryDelaysMs: options.eventRetryDelaysMs,
    });
    // Tasks whose processes started (their stand-ins found nothing that stops them): a Consul server counts towards
    // the quorum only then, as a real agent that refuses its configuration never joins the Raft cluster.
    const processesStarted = new Set<string>();
    // A task that is being stopped still serves and connects: it counts for TLS trust until ECS reports it STOPPED.
    const tlsTrust = new TlsTrustLedger((taskArn, taskRegion) => !ecs.isClosed && (ecs.task(taskArn, taskRegion)?.lastStatus ?? 'STOPPED') !== 'STOPPED');
    const consulRef: { current?: ConsulServer } = {};
    const peerConsulRef: { current?: ConsulServer } = {};
    const aclSync: { current?: (task: EcsTaskSnapshot) => void } = {};
    const ecs: EcsSimulation = new EcsSimulation({
      delays: options.ecsDelays,
      faults,
      logger: log,
      onTaskEvent: (event) => void events.publish(event),
      // Images built by the local CodeBuild record their platform in the local ECR: ECS refuses a foreign one.
      imagePlatform: (image) => ecr.imagePlatform(image),
      // Fargate starts a task with its execution role: registry auth, image pull, secrets, log streams.
      executionRoleError: (task, definition) => executionRoleError(iam, task, definition, LOCAL_ACCOUNT_ID),
      // The processes inside the containers of the project's images check what they would check on AWS, against
      // the SSM parameters and the Consul datacenter of their task's region.
      startProcesses: withStartedProcesses(
        processesStarted,
        (task, definition) => (task.region === peerRegion ? peerProcesses : processes)(task, definition),
        () => {
          consulRef.current?.observeServers();
          peerConsulRef.current?.observeServers();
        },
      ),
      // Who holds a datacenter's state follows every step of its region's server tasks (leadership.ts).
      onTaskChanged: (task) => {
        aclSync.current?.(task);
        if (task.serviceName === serverService) (task.region === peerRegion ? peerConsulRef : consulRef).current?.observeServers();
      },
    });
    faults.onStopConsulServers((only) => ecs.crashServiceTasks(serverService, only));
    const regionProcesses = (taskRegion: string, datacenter: () => ConsulServer) =>
      taskProcesses({
        projectRoot: rootDir,
        imageDigest: (image) => registryDigest(image, (r, repo, ref) => ecr.findImage(r, repo, ref)),
        parameter: (nameOrArn) => parameterValue(ssm, nameOrArn, taskRegion),
        dataplaneAccess: (secret, node, proxyId) => datacenter().dataplaneAccess(secret, node, proxyId),
        consulHttpUrl: () => datacenter().url,
        stillRunning: (task) => !ecs.isClosed && ecs.task(task.taskArn, task.region)?.desiredStatus === 'RUNNING',
        tls: tlsTrust,
        caCertSecret: conventions.serverSecrets.caCert,
        serverHealthCheckTokenFile: conventions.serverHealthCheckTokenFile,
        dataplaneReadyTimeoutMs: options.dataplaneReadyTimeoutMs,
        logger: (message) => log(message),
      });
    const processes = regionProcesses(region, () => consul);
    const peerProcesses = regionProcesses(peerRegion ?? region, () => peerConsul ?? consul);
    // ECS puts the tags of an existing cluster or service in the request context (aws:ResourceTag/<key>).
    iam.addResourceTags((arn) => ecs.resourceTags(arn));
    // One network for the datacenters' peering streams: the second region's datacenter can peer with the first.
    const peeringNetwork = new PeeringNetwork();
    const consul = new ConsulServer({
      port: options.ports?.consul ?? 8500,
      faults,
      acl: { enabled: true },
      quorumSource: () => serverQuorum(ecs, serverService, region, processesStarted),
      serverCatchUpMs: options.consulServerCatchUpMs,
      peeringNetwork,
    });
    consulRef.current = consul;
    const peerConsul =
      peerRegion === undefined
        ? undefined
        : new ConsulServer({
            port: options.ports?.peerConsul ?? 8510,
            faults,
            acl: { enabled: true },
            datacenter: options.peerRegion?.datacenter ?? 'dc2',
            quorumSource: () => serverQuorum(ecs, serverService, peerRegion, processesStarted),
            serverCatchUpMs: options.consulServerCatchUpMs,
            peeringNetwork,
          });
    peerConsulRef.current = peerConsul;
    try {
      restore(SSM_STATE, (data) => ssm.importSnapshot(data));
      restore(ECR_STATE, (data) => ecr.importSnapshot(data));
      restore(S3_STATE, (data) => s3.store.importState(data));
      restore(CODEBUILD_STATE, (data) => codebuild.importSnapshot(data));
      restore(EVENTS_STATE, (data) => events.importSnapshot(data));
      restore(CONSUL_STATE, (data) => consul.importSnapshot(data));
    } catch (error) {
      // Restored schedule rules already run their timers.
      await events.close();
      throw error;
    }
    await consul.listen();
    try {
      await peerConsul?.listen();
    } catch (error) {
      await Promise.allSettled([events.close(), consul.close(), peerConsul?.close()]);
      throw error;
    }

    const aws = await startAwsEndpoint({
      port: options.ports?.aws ?? 4566,
      faults,
      providers: [ecs.provider, ssm, ecr, codebuild, events, logs],
      restProvider: s3,
      logger: log,
      iam,
      iamHints: {
        nextTaskDefinitionRevision: (taskRegion, family) => (ecs.store.region(taskRegion).families.get(family)?.length ?? 0) + 1,
        // ECS creates its service-linked role with the first cluster of the account (and keeps it).
        ecsServiceLinkedRoleExists: (taskRegion) => ecs.store.region(taskRegion).clusters.size > 0,
      },
      extraRoutes: (req: IncomingMessage, res: ServerResponse) => handleAdminRoute(req, res, { faults, ecs, events, consul }),
    });

    const environment: Record<string, string> = {
      AWS_ENDPOINT_URL: aws.url,
      CONSUL_HTTP_ADDR: consul.url,
      // DESIGN.md section 4: the local HTTP API accepts the token in MESH_API_TOKEN (else the documented default).
      ...(apiToken ? { MESH_API_TOKEN: apiToken } : {}),
      ...options.functionEnvironment,
    };
    const functions = config.functions.map((fn) => ({ ...fn, environment: { ...fn.environment, ...environment, ...functionCredentials(iam, roles, fn.name) } }));
    // Lambda sends each function's output to CloudWatch Logs (/aws/lambda/<name>) of its region: GET /activity reads it there.
    const lambdaOptions = (fnRegion: string) => ({
      region: fnRegion,
      taskRoot: rootDir,
      logger: (m: string) => log(m),
      onLogLine: (line: { logGroupName: string; logStreamName: string; timestamp: number; message: string }) =>
        logs.ingest(fnRegion, line.logGroupName, line.logStreamName, [line]),
      echoLogs: options.echoFunctionLogs ?? true,
    });
    const lambda = new LambdaRuntime(functions, lambdaOptions(region));
    const lambdas = new RegionalLambdas(region, lambda);
    // The second region's functions find that region's Consul datacenter, as its stack's consulAddress would say.
    const peerFunctions =
      peerStack && peerConsul
        ? peerStack.config.functions.map((fn) => ({
            ...fn,
            environment: { ...fn.environment, ...environment, CONSUL_HTTP_ADDR: peerConsul.url, ...functionCredentials(iam, peerStack.roles, fn.name) },
          }))
        : undefined;
    const peerLambda = peerFunctions && peerRegion ? new LambdaRuntime(peerFunctions, lambdaOptions(peerRegion)) : undefined;
    if (peerLambda && peerRegion) lambdas.add(peerRegion, peerLambda);
    lambdaRef.current = lambdas;
    // Execution status changes go to EventBridge's default bus, as on AWS. Those of executions restored from the
    // data directory (closed as ABORTED) happen before serverless.yml's rules exist: they wait for them.
    let statusEvents: AwsEvent[] | undefined = [];
    const stepFunctions = new StepFunctionsProvider({
      lambda: lambdas,
      timeScale: options.stepFunctionsTimeScale ?? 1,
      logger: log,
      // Step Functions invokes a Task's function with the state machine's role (lambda:InvokeFunction).
      authorizeInvoke: ({ roleArn, executionArn }, functionReference) => {
        const functionArn = lambdas.arnOf(functionReference) ?? functionReference;
        const { principal } = iam.assumeRole(roleArn, executionArn.slice(executionArn.lastIndexOf(':') + 1).slice(0, 64));
        try {
          iam.authorize(principal, [{ action: 'lambda:InvokeFunction', resource: functionArn, context: {} }]);
        } catch (error) {
          // The Java SDK Step Functions uses reports Lambda's AccessDeniedException as an AWSLambdaException.
          throw new TaskError('Lambda.AWSLambdaException', `${(error as Error).message} (Service: AWSLambda; Status Code: 403; Error Code: AccessDeniedException; Request ID: ${randomUUID()}; Proxy: null)`);
        }
      },
      onEvent: (event) => (statusEvents ? statusEvents.push(event) : events.publish(event)),
    });
    aws.register(stepFunctions);
    try {
      // Saved state machines first: serverless.yml's are then updated in place, not duplicated.
      restore(STEP_FUNCTIONS_STATE, (data) => stepFunctions.importSnapshot(data));
    } catch (error) {
      ecs.close();
      codebuild.close();
      await Promise.allSettled([stepFunctions.close(), events.close(), lambda.close(), peerLambda?.close(), aws.stop(), consul.close(), peerConsul?.close()]);
      throw error;
    }
    const stateMachines = await deployStateMachines(config, stepFunctions, (machine) => roles.stateMachines.get(machine.name) ?? missingPrincipal('state machine', machine.name));
    const deployedRules = new Set(await deployRules(config, functions, events, region));
    // The second region's stack: its machines, rules and schedules, bucket and build project, in its region.
    const peerStateMachines = peerStack
      ? await deployStateMachines(peerStack.config, stepFunctions, (machine) => peerStack.roles.stateMachines.get(machine.name) ?? missingPrincipal('state machine', machine.name))
      : undefined;
    if (peerStack && peerFunctions && peerRegion) await deployRules(peerStack.config, peerFunctions, events, peerRegion);
    for (const event of statusEvents) events.publish(event);
    statusEvents = undefined;
    const buckets = createBuckets(config, s3, stage, region);
    await createImageBuildProject(config, codebuild, stage, region, roles);
    const peerBuckets = peerStack && peerRegion ? createBuckets(peerStack.config, s3, peerNames(stage, peerRegion), peerRegion) : undefined;
    if (peerStack && peerRegion) await createImageBuildProject(peerStack.config, codebuild, stage, peerRegion, peerStack.roles, peerNames(stage, peerRegion));

    const httpApi = new HttpApiServer(config, lambda, { region, port: options.ports?.httpApi ?? 3000 });
    await httpApi.start();
    const peerHttpApi = peerStack && peerLambda && peerRegion ? new HttpApiServer(peerStack.config, peerLambda, { region: peerRegion, port: options.ports?.peerHttpApi ?? 3010 }) : undefined;
    try {
      await peerHttpApi?.start();
    } catch (error) {
      await Promise.allSettled([httpApi.stop(), stepFunctions.close(), events.close(), lambda.close(), peerLambda?.close(), aws.stop(), consul.close(), peerConsul?.close()]);
      ecs.close();
      codebuild.close();
      throw error;
    }

    // Emulates the Consul servers reading their ACL bootstrap token from SSM at start (tokens restored from the
    // data directory are already known).
    const seenTokens = new Set<string>(saved?.get(CONSUL_STATE)?.acl.tokens.map((token) => token.SecretID) ?? []);
    const peerSeenTokens = new Set<string>();
    // Each region's server tasks bootstrap their own datacenter from their own region's SSM.
    aclSync.current = (task) => {
      const target =
        peerConsul !== undefined && peerRegion !== undefined && task.region === peerRegion
          ? { ssm, ecs, consul: peerConsul, region: peerRegion, seen: peerSeenTokens, secrets: conventions.serverSecrets }
          : { ssm, ecs, consul, region, seen: seenTokens, secrets: conventions.serverSecrets };
      void syncConsulAcl(task, target).catch((error) => log('ACL sync failed', error));
    };

    const persistence =
      dataDir === undefined
        ? undefined
        : new StatePersister(
            dataDir,
            persistedServices({
              ssm,
              ecr,
              codebuild,
              s3,
              events,
              stepFunctions,
              ecs,
              consul,
              isDeployedRule: (rule) => rule.region === region && rule.account === LOCAL_ACCOUNT_ID && deployedRules.has(rule.name),
            }),
            { logger: log },
          );
    const peer: PeerRegion | undefined =
      peerConsul && peerRegion && peerStack && peerLambda && peerHttpApi && peerStateMachines && peerBuckets
        ? { region: peerRegion, consul: peerConsul, config: peerStack.config, lambda: peerLambda, httpApi: peerHttpApi, stateMachines: peerStateMachines, buckets: peerBuckets }
        : undefined;
    const cloud = new LocalCloud(config, faults, aws, ecs, ssm, ecr, codebuild, s3, events, lambda, stepFunctions, consul, httpApi, stateMachines, iam, persistence, peer, lambdas);
    if (apiToken) cloud.apiToken = apiToken;
    cloud.buckets = buckets;
    cloud.tlsTrust = tlsTrust;
    try {
      // ECS last: restored services start their tasks at once, and the task events must find everything wired.
      restore(ECS_STATE, (data) => ecs.importSnapshot(data));
    } catch (error) {
      await cloud.stop();
      throw error;
    }
    persistence?.start();
    return cloud;
  }

  get endpoints(): LocalEndpoints {
    return {
      aws: this.aws.url,
      consul: this.consul.url,
      httpApi: this.httpApi.url,
      ...(this.peer ? { peer: { region: this.peer.region, consul: this.peer.consul.url, httpApi: this.peer.httpApi.url } } : {}),
    };
  }

  /** The environment a client (SDK, AWS CLI, meshctl) needs to talk to this local cloud. */
  clientEnvironment(): Record<string, string> {
    return {
      AWS_ENDPOINT_URL: this.aws.url,
      AWS_ACCESS_KEY_ID: 'test',
      AWS_SECRET_ACCESS_KEY: 'test',
      AWS_REGION: this.config.region,
      CONSUL_HTTP_ADDR: this.consul.url,
      MESH_API_URL: this.httpApi.url,
      MESH_API_TOKEN: this.apiToken,
      DEPLOY_STATE_MACHINE_ARN: this.stateMachines.deployMesh ?? '',
      // Where meshctl uploads build contexts (the stack output BuildSourceBucketName on AWS).
      ...(this.buckets.BuildSourceBucket ? { BUILD_SOURCE_BUCKET: this.buckets.BuildSourceBucket } : {}),
    };
  }

  /**
   * The environment a client (SDK, AWS CLI, meshctl) of the second region needs: the shared AWS endpoint, that
   * region, its Consul datacenter, and its own orchestrator's HTTP API (same token), state machine and bucket; or
   * undefined without a second region.
   */
  peerClientEnvironment(): Record<string, string> | undefined {
    if (!this.peer) return undefined;
    return {
      AWS_ENDPOINT_URL: this.aws.url,
      AWS_ACCESS_KEY_ID: 'test',
      AWS_SECRET_ACCESS_KEY: 'test',
      AWS_REGION: this.peer.region,
      CONSUL_HTTP_ADDR: this.peer.consul.url,
      MESH_API_URL: this.peer.httpApi.url,
      MESH_API_TOKEN: this.apiToken,
      DEPLOY_STATE_MACHINE_ARN: this.peer.stateMachines.deployMesh ?? '',
      ...(this.peer.buckets.BuildSourceBucket ? { BUILD_SOURCE_BUCKET: this.peer.buckets.BuildSourceBucket } : {}),
    };
  }

  /** Resolves when no task event, Lambda invocation or execution is in flight. */
  async settle(): Promise<void> {
    await this.events.drain();
    await (this.lambdas ?? this.lambda).idle();
  }

  async stop(): Promise<void> {
    await this.httpApi.stop();
    await this.peer?.httpApi.stop();
    await this.stepFunctions.close();
    await this.events.close();
    await this.lambda.close();
    await this.peer?.lambda.close();
    this.ecs.close();
    this.codebuild.close();
    await this.aws.stop();
    await this.consul.close();
    await this.peer?.consul.close();
    // Last, once nothing changes any more: the final state goes to disk.
    await this.persistence?.stop();
  }
}

/** The local name of a role the template does not name (CloudFormation would generate `<stack>-<id>-<suffix>`). */
function localRoleName(logicalId: string, names: string): string {
  return `${names}-${logicalId}`;
}

/**
 * The prefix of the second region's local role and bucket names. IAM roles and S3 bucket names are global to the
 * account (the partition), so the second stack's must differ from the first's, as CloudFormation's generated names
 * (`<stack>-<logical id>-<random suffix>`) would: `local-eu-west-1-TaskExecutionRole`.
 */
function peerNames(stage: string, region: string): string {
  return `${stage}-${region}`;
}

/**
 * One region's stack of serverless.yml: its resolved configuration and the roles of its packaged template (both
 * cached per region and parameters), with `names` as the prefix of its local role and bucket names.
 */
async function loadRegionStack(
  rootDir: string,
  options: { stage: string; region: string; names: string; meshName?: string; packagedTemplate?: (template: PackagedTemplate) => PackagedTemplate; progress?: (message: string) => void },
): Promise<{ config: ServerlessConfig; roles: TemplateRoles }> {
  const { stage, region, names } = options;
  const params = options.meshName === undefined ? undefined : { meshName: options.meshName };
  // Resources of serverless.yml the functions reference (roles, the account) by their local names.
  const [config, packaged] = await Promise.all([
    loadServerlessConfig(rootDir, {
      stage,
      region,
      ...(params ? { params } : {}),
      resolveExternal: (logicalId, attribute, type) => localResourceRef(logicalId, attribute, stage, region, type, names),
    }),
    // The roles exist only in the packaged template (one per function, one per state machine).
    // Uncached (the first start, or serverless.yml changed) this takes tens of seconds with nothing else to show.
    loadPackagedTemplate(rootDir, { stage, region, ...(params ? { params } : {}) }, () =>
      options.progress?.(`Packaging serverless.yml for ${region} (serverless package, for the IAM roles): about half a minute, cached for the next starts`),
    ),
  ]);
  // The packaged template keeps only the resources roles are read from: the others' types are serverless.yml's.
  const declaredTypes = resourceTypesOf((config.raw.resources as { Resources?: unknown } | undefined)?.Resources);
  const roles = readTemplateRoles(options.packagedTemplate ? options.packagedTemplate(structuredClone(packaged)) : packaged, {
    region,
    accountId: LOCAL_ACCOUNT_ID,
    stackName: `${config.service}-${stage}`,
    resolveExternal: (logicalId, attribute, type) => localResourceRef(logicalId, attribute, stage, region, type ?? declaredTypes.get(logicalId), names),
    roleName: (logicalId) => localRoleName(logicalId, names),
  });
  return { config, roles };
}

/**
 * Lambda gives each function temporary credentials of its role in its environment (AWS_ACCESS_KEY_ID,
 * AWS_SECRET_ACCESS_KEY, AWS_SESSION_TOKEN; "Defined runtime environment variables"): the endpoint knows the caller.
 */
function functionCredentials(iam: IamAuthorizer, roles: TemplateRoles, functionName: string): Record<string, string> {
  const roleArn = roles.functions.get(functionName) ?? missingPrincipal('function', functionName);
  const credentials = iam.assumeRole(roleArn, functionName);
  return { AWS_ACCESS_KEY_ID: credentials.accessKeyId, AWS_SECRET_ACCESS_KEY: credentials.secretAccessKey, AWS_SESSION_TOKEN: credentials.sessionToken };
}

function missingPrincipal(kind: string, name: string): never {
  throw new Error(`the packaged template has no ${kind} named ${name}: serverless.yml and the packaged template disagree`);
}

/**
 * ARNs for the resources of serverless.yml that the local cloud does not run (IAM roles, the on-failure queue):
 * functions may name them in their environment or destinations; nothing here calls them. Known by their
 * CloudFormation `Type` (what `Ref` and `Fn::GetAtt <id>.Arn` return depends on it), not by how they are named.
 */
export function localResourceRef(logicalId: string, attribute: string | undefined, stage: string, region: string, type: string | undefined, names: string = stage): string | undefined {
  if (type === 'AWS::S3::Bucket' && (attribute === undefined || attribute === 'Arn')) {
    const name = localBucketName(logicalId, names);
    return attribute ? `arn:aws:s3:::${name}` : name;
  }
  if (attribute !== undefined && attribute !== 'Arn') return undefined;
  switch (type) {
    case 'AWS::IAM::Role':
      return `arn:aws:iam::${LOCAL_ACCOUNT_ID}:role/${localRoleName(logicalId, names)}`;
    case 'AWS::ServiceDiscovery::Service':
      return `arn:aws:servicediscovery:${region}:${LOCAL_ACCOUNT_ID}:service/srv-${stage}-${logicalId.toLowerCase()}`;
    case 'AWS::SQS::Queue':
      // Ref of a queue is its URL, its Arn attribute the ARN.
      return attribute ? `arn:aws:sqs:${region}:${LOCAL_ACCOUNT_ID}:${stage}-${logicalId}` : `http://sqs.local/${LOCAL_ACCOUNT_ID}/${stage}-${logicalId}`;
    default:
      return undefined;
  }
}

/**
 * A leader exists only while a quorum of the Consul server tasks runs (DESIGN.md section 5). The servers are the
 * tasks of the product's server service (`conventions.consulServerService`) in every cluster of the region; `expected`
 * is its desired count, as `bootstrap_expect` is.
 */
function serverQuorum(ecs: EcsSimulation, serverService: string, region: string, started: ReadonlySet<string>): ReturnType<QuorumSource> {
  const servers = ecs.services(region).filter((s) => s.name === serverService && s.status === 'ACTIVE');
  if (servers.length === 0) return { expected: 0, serverAddresses: [] };
  const expected = servers.reduce((n, s) => n + s.desiredCount, 0);
  const tasks = servers.flatMap((s) => ecs.runningTasks(s.clusterName, region).filter((t) => t.serviceName === serverService && started.has(t.taskArn)));
  // Autopilot lists each server by its node ID, the one its health check looks for (task-processes/server-health.ts).
  const serverIds = Object.fromEntries(tasks.map((t) => [t.privateIp, serverNodeId(t.taskId)]));
  return { expected, serverAddresses: tasks.map((t) => t.privateIp), serverIds };
}

/**
 * Records in `started` each task whose processes' stand-ins let every container run (none exits on start). Entries
 * are never removed: task ARNs are unique and a server counts only while ECS also reports it running, so an entry
 * of a stopped task is harmless (one short string per task started).
 */
function withStartedProcesses(
  started: Set<string>,
  run: (task: EcsTaskSnapshot, definition: TaskDefinitionRecord) => Promise<ProcessOutcome[]>,
  onStarted: () => void = () => undefined,
): (task: EcsTaskSnapshot, definition: TaskDefinitionRecord) => Promise<ProcessOutcome[]> {
  return async (task, definition) => {
    let outcomes: ProcessOutcome[];
    try {
      outcomes = await run(task, definition);
    } catch (error) {
      // The lifecycle then lets the task run as if nothing were checked: so does the quorum.
      started.add(task.taskArn);
      onStarted();
      throw error;
    }
    if (!outcomes.some((outcome) => outcome.exitCode !== undefined)) {
      started.add(task.taskArn);
      onStarted();
    }
    return outcomes;
  };
}

/**
 * The name a bucket of serverless.yml without a `BucketName` gets locally (CloudFormation would generate one):
 * `BuildSourceBucket` of stage `local` → `local-build-source-bucket`.
 */
export function localBucketName(logicalId: string, stage: string): string {
  return `${stage}-${logicalId.replace(/([a-z0-9])([A-Z])/g, '$1-$2').toLowerCase()}`;
}

/** The S3 buckets of serverless.yml's resources (kept when restored from the data directory). */
function createBuckets(config: ServerlessConfig, s3: S3Provider, prefix: string, region: string): Record<string, string> {
  const names: Record<string, string> = {};
  const resources = (config.raw.resources as { Resources?: Record<string, { Type: string; Properties?: { BucketName?: unknown } }> } | undefined)?.Resources ?? {};
  for (const [logicalId, resource] of Object.entries(resources)) {
    if (resource.Type !== 'AWS::S3::Bucket') continue;
    const name = typeof resource.Properties?.BucketName === 'string' ? resource.Properties.BucketName : localBucketName(logicalId, prefix);
    names[logicalId] = name;
    try {
      s3.store.createBucket(name, region);
    } catch (error) {
      if (!(error instanceof S3Error) || error.code !== 'BucketAlreadyOwnedByYou') throw error;
    }
  }
  return names;
}

/**
 * The CodeBuild project of serverless.yml's resources. Its source location may be an intrinsic (the build-source
 * bucket's name): it is resolved to the local resource; a repository source stands for this checkout (the project
 * root).
 */
async function createImageBuildProject(config: ServerlessConfig, codebuild: CodeBuildProvider, stage: string, region: string, roles: TemplateRoles, names: string = stage): Promise<void> {
  const resources = (config.raw.resources as { Resources?: Record<string, { Type: string; Properties: Record<string, unknown> }> } | undefined)?.Resources ?? {};
  const ctx = { region, accountId: LOCAL_ACCOUNT_ID, requestId: 'local-start' };
  for (const [logicalId, resource] of Object.entries(resources)) {
    if (resource.Type !== 'AWS::CodeBuild::Project') continue;
    const props = resource.Properties as { Name?: string; Source?: { Type?: string; Location?: unknown; BuildSpec?: string }; Environment?: { Image?: string; ComputeType?: string; PrivilegedMode?: boolean; Type?: string } };
    const intrinsics = { region, accountId: LOCAL_ACCOUNT_ID, stackName: `${config.service}-${stage}`, resources: new Map(), resourceTypes: resourceTypesOf(resources), resolveExternal: (id: string, attribute?: string, type?: string) => localResourceRef(id, attribute, stage, region, type, names) };
    const location = props.Source?.Location === undefined ? undefined : resolveIntrinsics(props.Source.Location, intrinsics, `resources.${logicalId}.Source.Location`);
    const project = {
      name: props.Name ?? logicalId,
      // A repository source is this checkout locally: its locations are relative to the project root.
      source: { type: props.Source?.Type ?? 'GITHUB', location: typeof location === 'string' && location !== '' ? location : '.', buildspec: props.Source?.BuildSpec ?? 'buildspec.yml' },
      artifacts: { type: 'NO_ARTIFACTS' },
      environment: {
        type: props.Environment?.Type ?? 'LINUX_CONTAINER',
        image: props.Environment?.Image ?? 'aws/codebuild/standard:7.0',
        computeType: props.Environment?.ComputeType ?? 'BUILD_GENERAL1_SMALL',
        privilegedMode: props.Environment?.PrivilegedMode ?? false,
      },
      serviceRole: roles.buildProjects.get(props.Name ?? logicalId) ?? missingPrincipal('build project', props.Name ?? logicalId),
    };
    try {
      await codebuild.operations.CreateProject(project, ctx);
    } catch (error) {
      // Restored from the data directory: serverless.yml's definition wins, the build numbers carry on.
      if (!(error instanceof AwsServiceError) || error.code !== 'ResourceAlreadyExistsException') throw error;
      await codebuild.operations.UpdateProject(project, ctx);
    }
  }
}
