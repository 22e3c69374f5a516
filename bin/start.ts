import '../layers/polyfills';
import { resolve } from 'node:path';
import { LocalCloud } from '../local/cloud';
import { deployCommand } from '../cli/deploy';
import { defaultCliDeps } from '../cli/cli-deps';

/**
 * `npm start`: start the local cloud, deploy examples/mesh.yaml end to end with live progress, print the summary
 * and the endpoints to explore, then keep serving until interrupted. `npm start -- --once` exits after the
 * deployment with its status; `npm start -- --spec <file>` deploys another spec.
 */
async function main(argv: string[]): Promise<number> {
  const once = argv.includes('--once');
  const verbose = argv.includes('--verbose');
  const specIndex = argv.indexOf('--spec');
  const spec = specIndex >= 0 ? argv[specIndex + 1] : 'examples/mesh.yaml';
  if (!spec) throw new Error('--spec needs a file');
  const rootDir = resolve(__dirname, '..');

  console.log('Starting the local cloud (AWS endpoint, Consul, HTTP API)...');
  const cloud = await LocalCloud.start({
    rootDir,
    // Visible but quick: builds take a second, tasks a few hundred milliseconds per lifecycle step.
    buildDurationMs: 1000,
    ecsDelays: { provisioningMs: 200, pendingMs: 300, activatingMs: 100, runningMs: 200, stoppingMs: 100 },
    eventRetryDelaysMs: [1000, 2000],
    // The functions log JSON to stdout as on Lambda; keep the progress view readable unless asked (--verbose).
    functionEnvironment: verbose ? {} : { LOG_LEVEL: 'WARN', POWERTOOLS_METRICS_DISABLED: 'true' },
  });
  const env = cloud.clientEnvironment();
  // The CLI's SDK clients resolve the local endpoint the same way they would on AWS: from the environment.
  Object.assign(process.env, env);

  const status = await deployCommand(
    spec,
    // Through the HTTP API, as `npx meshctl deploy` does (DESIGN.md section 4).
    { wait: true, json: false, pollSeconds: 1, maxRounds: 120, apiUrl: env.MESH_API_URL, token: env.MESH_API_TOKEN },
    { ...defaultCliDeps(), cwd: rootDir, pollIntervalMs: 500 },
  );

  const { aws, consul, httpApi } = cloud.endpoints;
  const tokenParameter = '/consul-mesh/reference-mesh/secrets/acl/bootstrap-token';
  console.log(`
Explore the local cloud (credentials: test / test, region us-east-1):
  export AWS_ACCESS_KEY_ID=test AWS_SECRET_ACCESS_KEY=test AWS_REGION=us-east-1
  aws --endpoint-url ${aws} ecs list-services --cluster cluster-1
  aws --endpoint-url ${aws} stepfunctions list-executions --state-machine-arn ${env.DEPLOY_STATE_MACHINE_ARN}
  curl ${consul}/v1/status/leader
  # Consul's ACLs deny by default; the bootstrap token is a SecureString in SSM:
  export CONSUL_HTTP_TOKEN=$(aws --endpoint-url ${aws} ssm get-parameter --name ${tokenParameter} --with-decryption --query Parameter.Value --output text)
  curl -H "X-Consul-Token: $CONSUL_HTTP_TOKEN" ${consul}/v1/catalog/services
  curl -H "X-Consul-Token: $CONSUL_HTTP_TOKEN" "${consul}/v1/health/service/users?passing"
  curl -H "Authorization: Bearer ${env.MESH_API_TOKEN}" ${httpApi}/mesh
  npx meshctl status          (talks to the HTTP API at ${httpApi})
  Faults:   curl -X POST ${aws}/_local/faults -d '{"throttleShare":0.2}'`);

  if (once) {
    await cloud.stop();
    return status;
  }
  console.log('\nServing until Ctrl-C.');
  await new Promise<void>((done) => {
    const stop = () => void cloud.stop().then(done);
    process.once('SIGINT', stop);
    process.once('SIGTERM', stop);
  });
  return status;
}

main(process.argv.slice(2)).then(
  (code) => process.exit(code),
  (error) => {
    console.error(error instanceof Error ? `${error.name}: ${error.message}` : error);
    process.exit(1);
  },
);
