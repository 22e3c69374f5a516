import '../layers/polyfills';
import { parseDataDirOptions, startLocalCloud } from '../cli/local-cloud';
import { peerOption } from '../cli/start-options';

/**
 * `npm run local`: the local cloud alone, on its fixed ports (overridable), until interrupted.
 * Ports: LOCAL_AWS_PORT (4566), LOCAL_CONSUL_PORT (8500), LOCAL_HTTP_API_PORT (3000).
 * State: in memory, or kept across restarts with `--data-dir <dir>` (or LOCAL_DATA_DIR); `--reset` discards it.
 * e.g. `npm run local -- --data-dir .local-cloud`
 */
async function main(): Promise<void> {
  const args = process.argv.slice(2);
  // --no-iam: every principal may do anything (experiments only; AWS evaluates every call).
  const iam = !args.includes('--no-iam');
  // --peer-region <region>: a second region with its own Consul datacenter (LOCAL_PEER_CONSUL_PORT, 8510).
  const peerAt = args.indexOf('--peer-region');
  const peer = peerAt === -1 ? undefined : peerOption(args[peerAt + 1] ?? '', process.env);
  const rest = args.filter((arg, i) => arg !== '--no-iam' && (peerAt === -1 || (i !== peerAt && i !== peerAt + 1)));
  const { dataDir, reset } = parseDataDirOptions(rest, process.env);
  const port = (name: string, fallback: number) => {
    const value = process.env[name];
    if (value === undefined || value === '') return fallback;
    const n = Number(value);
    if (!Number.isInteger(n) || n < 0 || n > 65535) throw new Error(`${name} must be a port number, got "${value}"`);
    return n;
  };
  const cloud = await startLocalCloud({
    ports: {
      aws: port('LOCAL_AWS_PORT', 4566),
      consul: port('LOCAL_CONSUL_PORT', 8500),
      httpApi: port('LOCAL_HTTP_API_PORT', 3000),
      ...(peer ? { peerConsul: peer.consulPort, peerHttpApi: peer.apiPort } : {}),
    },
    ...(peer ? { peerRegion: { region: peer.region } } : {}),
    dataDir,
    resetData: reset,
    iam,
    progress: (message) => console.log(message),
  });
  // Handlers first: a signal that arrives as soon as the banner is out must still stop (and save) cleanly.
  const stop = () => {
    cloud.stop().then(
      () => process.exit(0),
      (error: unknown) => {
        console.error(error instanceof Error ? `${error.name}: ${error.message}` : error);
        process.exit(1);
      },
    );
  };
  process.once('SIGINT', stop);
  process.once('SIGTERM', stop);
  const { aws, consul, httpApi, peer: second } = cloud.endpoints;
  console.log(`local cloud running
  AWS endpoint  ${aws}   (credentials test/test, region us-east-1: AWS_ACCESS_KEY_ID=test AWS_SECRET_ACCESS_KEY=test AWS_DEFAULT_REGION=us-east-1 aws --endpoint-url ${aws} ecs list-clusters)
  Consul API    ${consul}   (curl ${consul}/v1/status/leader answers "" until a mesh's Consul servers run)${second ? `\n  ${second.region}     Consul ${second.consul}   (a second region: its own datacenter, peerable through /v1/peering), HTTP API ${second.httpApi} (its orchestrator)` : ''}
  HTTP API      ${httpApi}
  faults        ${aws}/_local/faults
  IAM           ${iam ? 'enforced: each function, state machine, build and task acts with its role from the packaged template' : 'not enforced (--no-iam)'}
  state         ${dataDir === undefined ? 'in memory (use --data-dir <dir> to keep it)' : `kept in ${dataDir}${reset ? ' (reset)' : ''}`}
press Ctrl-C to stop`);
}

main().catch((error) => {
  console.error(error instanceof Error ? `${error.name}: ${error.message}` : error);
  process.exit(1);
});
