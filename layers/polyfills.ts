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

export {};
