import { LocalCloud } from './cloud';

/**
 * `npm run local`: the local cloud alone, on its fixed ports (overridable), until interrupted.
 * Ports: LOCAL_AWS_PORT (4566), LOCAL_CONSUL_PORT (8500), LOCAL_HTTP_API_PORT (3000).
 */
async function main(): Promise<void> {
  const port = (name: string, fallback: number) => {
    const value = process.env[name];
    if (value === undefined || value === '') return fallback;
    const n = Number(value);
    if (!Number.isInteger(n) || n < 0 || n > 65535) throw new Error(`${name} must be a port number, got "${value}"`);
    return n;
  };
  const cloud = await LocalCloud.start({
    ports: { aws: port('LOCAL_AWS_PORT', 4566), consul: port('LOCAL_CONSUL_PORT', 8500), httpApi: port('LOCAL_HTTP_API_PORT', 3000) },
  });
  const { aws, consul, httpApi } = cloud.endpoints;
  console.log(`local cloud running
  AWS endpoint  ${aws}   (aws --endpoint-url ${aws} ecs list-clusters; credentials test/test)
  Consul API    ${consul}   (curl ${consul}/v1/catalog/services)
  HTTP API      ${httpApi}
  faults        ${aws}/_local/faults
press Ctrl-C to stop`);
  const stop = async () => {
    await cloud.stop();
    process.exit(0);
  };
  process.once('SIGINT', stop);
  process.once('SIGTERM', stop);
}

main().catch((error) => {
  console.error(error instanceof Error ? `${error.name}: ${error.message}` : error);
  process.exit(1);
});
