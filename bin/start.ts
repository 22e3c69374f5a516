import '../layers/polyfills';
import { resolve } from 'node:path';
import { startLocalCloud, type LocalCloud } from '../cli/local-cloud';
import { deployCommand } from '../cli/deploy';
import { validateCommand } from '../cli/validate';
import { defaultCliDeps } from '../cli/cli-deps';
import { renderPeeringSummary } from '../cli/peering-summary';
import { loadMeshSpec } from '../layers/domain/spec/load';
import { startDashboard, renderUiListenError } from '../cli/ui-command';
import { parseStartOptions, renderExploreHints, renderListenError, specMeshName, START_USAGE, StartUsageError, type StartOptions } from '../cli/start-options';

/**
 * `npm start`: start the local cloud, deploy examples/mesh.yaml end to end with live progress, print the summary
 * and the endpoints to explore, then keep serving until interrupted. `npm start -- --once` exits after the
 * deployment with its status; `npm start -- --spec <file>` deploys another spec; a second `--spec` is deployed
 * afterwards in the second region (its spec's region) by that region's orchestrator, through its own HTTP API.
 * Exit codes: 0 deployed, 1 the deployment or the local cloud failed, 2 a wrong command line, 130 interrupted.
 */
async function main(options: StartOptions): Promise<number> {
  const rootDir = resolve(__dirname, '..');

  // An invalid spec fails now, with meshctl validate's lines, not after the local cloud's start (half a minute on a
  // first start): the deployment would refuse it all the same.
  for (const spec of [options.spec, options.peerSpec]) {
    if (spec !== undefined && validateCommand(spec, { log: () => undefined, error: (line) => console.error(line) }) !== 0) return 1;
  }
  console.log('Starting the local cloud (AWS endpoint, Consul, HTTP API)...');
  let cloud: LocalCloud;
  try {
    const meshName = specMeshName(options.spec);
    const peerMeshName = options.peerSpec === undefined ? undefined : specMeshName(options.peerSpec);
    cloud = await startLocalCloud({
      rootDir,
      // The local orchestrator manages the spec's mesh, whatever its name (one stack per mesh on AWS).
      ...(meshName !== undefined ? { meshName } : {}),
      ports: { ...options.ports, ...(options.peer ? { peerConsul: options.peer.consulPort, peerHttpApi: options.peer.apiPort } : {}) },
      // The second region's orchestrator manages the second spec's mesh (its own stack in that region).
      ...(options.peer ? { peerRegion: { region: options.peer.region, ...(peerMeshName !== undefined ? { meshName: peerMeshName } : {}) } } : {}),
      iam: options.iam,
      progress: (message) => console.log(message),
      ...(options.dataDir !== undefined ? { dataDir: options.dataDir, resetData: options.reset } : {}),
      // Visible but quick: builds take a second, tasks a few hundred milliseconds per lifecycle step.
      buildDurationMs: 1000,
      ecsDelays: { provisioningMs: 200, pendingMs: 300, activatingMs: 100, runningMs: 200, stoppingMs: 100 },
      // A new server catches up and is promoted by autopilot in about as long as a task takes to start: a server roll
      // waits for each replacement's health check (a caught-up voter) before it stops the next old server.
      consulServerCatchUpMs: 800,
      eventRetryDelaysMs: [1000, 2000],
      // The functions log JSON to stdout as on Lambda, and their lines go to the local CloudWatch Logs (the
      // dashboard's Activity view reads them there). The progress view already reports every stage and the cause of
      // a failure, so their lines would only repeat it on the terminal; --verbose shows them.
      echoFunctionLogs: options.verbose,
      functionEnvironment: options.verbose ? {} : { POWERTOOLS_METRICS_DISABLED: 'true' },
    });
  } catch (error) {
    const message = renderListenError(error, options.ports, options.peer);
    if (message === undefined) throw error;
    console.error(`npm start: ${message}`);
    return 1;
  }
  const env = cloud.clientEnvironment();
  const peerEnv = cloud.peerClientEnvironment();
  if (cloud.endpoints.peer) {
    const { region, consul, httpApi } = cloud.endpoints.peer;
    console.log(`Second region ${region}: its Consul datacenter at ${consul} (peerable with ${cloud.endpoints.consul}), its orchestrator's HTTP API at ${httpApi}.`);
  }
  // The CLI's SDK clients resolve the local endpoint the same way they would on AWS: from the environment.
  Object.assign(process.env, env);

  // The dashboard, started before the deployment so it can be watched live; not worth starting for --once.
  const dashboard = options.once ? undefined : await startLocalDashboard(options.uiPort, env);

  // Ctrl-C while the deployment runs: say what happens to it instead of vanishing mid-line.
  const interrupted = () => {
    console.error('\nInterrupted: stopping the local cloud; the deployment stops with it (run `npm start` again to deploy).');
    void Promise.all([cloud.stop(), dashboard?.close()]).finally(() => process.exit(130));
  };
  process.once('SIGINT', interrupted);
  process.once('SIGTERM', interrupted);

  const first = await deployCommand(
    options.spec,
    // Through the HTTP API, as `npx meshctl deploy` does (DESIGN.md section 4).
    { wait: true, json: false, pollSeconds: 1, maxRounds: 120, apiUrl: env.MESH_API_URL, token: env.MESH_API_TOKEN },
    { ...defaultCliDeps(), cwd: rootDir, pollIntervalMs: 500 },
  );
  // The second spec after the first: one progress view at a time, and a peering's acceptor (the first mesh) must
  // have generated its token before the dialer establishes.
  let second: number | undefined;
  if (first === 0 && options.peerSpec !== undefined && peerEnv) {
    console.log(`\nDeploying ${options.peerSpec} in ${peerEnv.AWS_REGION} through that region's API (${peerEnv.MESH_API_URL}):`);
    second = await deployCommand(
      options.peerSpec,
      {
        wait: true,
        json: false,
        pollSeconds: 1,
        maxRounds: 120,
        apiUrl: peerEnv.MESH_API_URL,
        token: peerEnv.MESH_API_TOKEN,
        // The second stack's own bucket (bucket names are global: not the first region's).
        ...(peerEnv.BUILD_SOURCE_BUCKET ? { sourceBucket: peerEnv.BUILD_SOURCE_BUCKET } : {}),
      },
      { ...defaultCliDeps(), cwd: rootDir, pollIntervalMs: 500 },
    );
  }
  // Both meshes deployed: the peering between them as each mesh's API reports it (the dialer's deployment waited for
  // its side to be ACTIVE; the acceptor's side and the imported services follow within moments).
  // Printed last, after the hints of both meshes: it is what the two deployments were for.
  const peering =
    second === 0 && peerEnv
      ? await renderPeeringSummary(
          [
            { apiUrl: env.MESH_API_URL, token: env.MESH_API_TOKEN },
            { apiUrl: peerEnv.MESH_API_URL, token: peerEnv.MESH_API_TOKEN },
          ],
          defaultCliDeps(),
        )
      : [];
  const status = first !== 0 ? first : (second ?? 0);
  process.removeListener('SIGINT', interrupted);
  process.removeListener('SIGTERM', interrupted);

  if (first === 0) {
    // deployCommand validated the spec already: this only reads the names the hints show.
    const spec = loadMeshSpec(options.spec);
    console.log(`\n${renderExploreHints(spec, cloud.endpoints, { stateMachineArn: env.DEPLOY_STATE_MACHINE_ARN, apiToken: env.MESH_API_TOKEN })}`);
  }
  if (second === 0 && options.peerSpec !== undefined && peerEnv && cloud.endpoints.peer) {
    const spec = loadMeshSpec(options.peerSpec);
    const { consul, httpApi } = cloud.endpoints.peer;
    console.log(`\n${renderExploreHints(spec, { aws: cloud.endpoints.aws, consul, httpApi }, { stateMachineArn: peerEnv.DEPLOY_STATE_MACHINE_ARN, apiToken: peerEnv.MESH_API_TOKEN })}`);
  }
  if (peering.length > 0) console.log(`\n${peering.join('\n')}`);

  if (options.once) {
    await cloud.stop();
    return status;
  }
  console.log(
    status === 0
      ? `\nServing until Ctrl-C.${dashboard ? ` Dashboard: ${dashboard.url}` : ''}`
      : `\nThe local cloud keeps serving for inspection (npx meshctl status, npx meshctl mesh; the API at ${cloud.endpoints.httpApi}) until Ctrl-C.`,
  );
  await new Promise<void>((done) => {
    const stop = () => {
      console.error('\nStopping the local cloud.');
      void Promise.all([cloud.stop(), dashboard?.close()]).then(() => done());
    };
    process.once('SIGINT', stop);
    process.once('SIGTERM', stop);
  });
  return status;
}

/**
 * `meshctl ui` against the local cloud's API. The dashboard is an extra: a port in use or a failed build is said
 * on stderr, and the deployment goes on without it.
 */
async function startLocalDashboard(port: number, env: Record<string, string>): Promise<{ url: string; close(): Promise<void> } | undefined> {
  try {
    const server = await startDashboard({ apiUrl: env.MESH_API_URL, token: env.MESH_API_TOKEN, port }, { env: {}, log: (line) => console.log(line) });
    console.log(`Dashboard: ${server.url} (npx meshctl ui serves it again later)`);
    return server;
  } catch (error) {
    const message = renderUiListenError(error, port, 'set LOCAL_UI_PORT to another port (0 picks a free one)') ?? (error instanceof Error ? `${error.name}: ${error.message}` : String(error));
    console.error(`npm start: the dashboard did not start: ${message}`);
    return undefined;
  }
}

let options: StartOptions;
try {
  options = parseStartOptions(process.argv.slice(2), process.env);
} catch (error) {
  if (!(error instanceof StartUsageError)) throw error;
  console.error(`npm start: ${error.message}\n${START_USAGE}`);
  process.exit(2);
}

main(options).then(
  (code) => process.exit(code),
  (error) => {
    console.error(error instanceof Error ? `${error.name}: ${error.message}` : error);
    process.exit(1);
  },
);
