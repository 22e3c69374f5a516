/** Loading the application's `serverless.yml` for the local cloud. */
export { loadServerlessConfig, loadResolvedDocument, type LoadOptions } from './config';
export { buildServerlessConfig, lambdaArn, stateMachineArn, DEFAULT_MEMORY_MB, DEFAULT_TIMEOUT_SECONDS } from './build';
export { ServerlessConfigError } from './errors';
export type * from './model';
export { findFunction } from './model';
