/**
 * The public index of the local cloud (`@consul-mesh/local-cloud`): what the product's wiring, the tests and the
 * benchmarks may use. Everything else under `local/` is internal; ESLint refuses a deep import from outside the
 * package (except the local cloud's own tests, tests/unit/local and tests/integration/local).
 *
 * - The whole cloud: {@link LocalCloud} and its options (the product passes its {@link ProductConventions}).
 * - A partial cloud for tests and benchmarks: {@link startPartialCloud} (some AWS services behind one endpoint, a
 *   Consul server, shared {@link Faults}).
 * - The emulated services, to hand to {@link startPartialCloud} or to drive directly: the ECS simulation, the
 *   providers of SSM, ECR, CodeBuild, S3, EventBridge and Step Functions, and the Consul server.
 * - The oracles other tests check the product against: IAM policy evaluation, Consul ACL rules, serverless.yml
 *   as the Serverless Framework resolves and packages it.
 */
import './polyfills';

// The whole cloud.
export { LocalCloud, LOCAL_DEFAULT_API_TOKEN, localBucketName, localResourceRef } from './cloud';
export type { LocalCloudOptions, LocalEndpoints } from './cloud';
export type { ProductConventions } from './conventions';
export { parseDataDirOptions, UsageError, PersistedStateError, type DataDirOptions } from './persistence';

// A partial cloud.
export { startPartialCloud } from './partial-cloud';
/** Runs code with a Lambda sandbox's environment, as the local Lambda runtime does for each invocation. */
export { runWithEnvironment, type SandboxEnvironment } from './aws/lambda/environment';
export type { PartialCloud, PartialCloudOf, PartialCloudOptions } from './partial-cloud';

// Fault injection, shared by every service.
export { Faults, defaultFaultSettings } from './faults/faults';
export type { EventFaults, FaultSettings } from './faults/faults';

// The AWS endpoint and its protocol.
export { startAwsEndpoint, AwsEndpoint } from './aws/server';
export type { AwsEndpointOptions, ReceivedCall, EndpointLogger } from './aws/server';
export { AwsServiceError, LOCAL_ACCOUNT_ID } from './aws/protocol';
export type { RequestContext, ServiceProvider, RestServiceProvider } from './aws/protocol';
export { DEFAULT_LOCAL_CREDENTIALS } from './aws/sigv4';

// The emulated AWS services.
export { EcsSimulation } from './aws/ecs/simulation';
export type { EcsSimulationOptions, EcsTaskSnapshot } from './aws/ecs/simulation';
export { DEFAULT_ECS_DELAYS, type EcsDelays } from './aws/ecs/options';
export type { EcsTaskStateChangeEvent } from './aws/ecs/task-events';
export { SsmProvider } from './aws/ssm/provider';
export { EcrProvider } from './aws/ecr/provider';
export { CodeBuildProvider } from './aws/codebuild/provider';
export { digestBuildContext } from './aws/codebuild/context-digest';
export { S3Provider } from './aws/s3/provider';
export { LogsProvider } from './aws/logs/provider';
export { compileFilterPattern } from './aws/logs/filter-pattern';
export { EventsProvider, type AwsEvent, type EventsProviderOptions } from './aws/events/provider';
export { compileWildcard } from './aws/events/wildcard';
export { StepFunctionsProvider, MAX_PAYLOAD_BYTES, type LambdaInvoker } from './aws/stepfunctions';
export { buildExecutionStatusChangeEvent } from './aws/stepfunctions/status-events';
export { IamAuthorizer } from './aws/iam/authorizer';
export { readTemplateRoles } from './aws/iam/roles';
export { evaluatePolicies, type PolicyDocument } from './aws/iam/policy';
export { MANAGED_POLICIES } from './aws/iam/managed-policies';

// The Consul server.
export { ConsulServer, startConsulServer } from './consul';
export type { ConsulServerOptions, CatalogSnapshot } from './consul';
export { parseAclRules, rulesAllow, serviceIdentityRules } from './consul/acl-rules';

// serverless.yml as the Serverless Framework resolves and packages it.
export { loadServerlessConfig, loadResolvedDocument, type ServerlessConfig } from './serverless';
export { loadPackagedTemplate, runServerlessPackage, withPackagingLock, type PackagedTemplate, type ServerlessPackageOptions } from './serverless/package';
export { serverlessBinary } from './serverless/print';
