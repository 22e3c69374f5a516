/**
 * Node 20 lacks Promise.withResolvers (Node 22 has it); aws-local-stepfunctions uses it.
 * The Lambda runtime is nodejs22.x, so this only matters on Node 20 machines.
 */
type Resolvers<T> = { promise: Promise<T>; resolve: (v: T | PromiseLike<T>) => void; reject: (e: unknown) => void };
const P = Promise as unknown as { withResolvers?: <T>() => Resolvers<T> };
if (typeof P.withResolvers !== 'function') {
  P.withResolvers = function withResolvers<T>(): Resolvers<T> {
    let resolve!: Resolvers<T>['resolve'];
    let reject!: Resolvers<T>['reject'];
    const promise = new Promise<T>((res, rej) => {
      resolve = res;
      reject = rej;
    });
    return { promise, resolve, reject };
  };
}
export {};

/**
 * AWS SDK v3 releases published after the first week of January 2027 require Node 22, and every SDK client warns
 * once per process on Node 20 (`NodeVersionSupportWarning`). The releases package-lock.json pins still support
 * Node 20, which package.json's `engines` keeps supported for the command line and the local cloud; the Lambda
 * runtime is nodejs22.x, where the SDK never warns. So on Node 20 our own entry points (npm start, npm run local,
 * meshctl) turn that one warning off with the SDK's documented switch, unless the user set it.
 */
if (Number(process.versions.node.split('.')[0]) < 22) {
  process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';
}
