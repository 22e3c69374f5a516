import { createPrivateKey, X509Certificate } from 'node:crypto';
import { existsSync, mkdirSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { AgentConfigError, configValue, parseAgentConfigFile } from './consul-agent-config';
import { entrypointError, runEntrypoint } from './entrypoint';
import { issuerIn, parseCertificates } from './tls-trust';

/**
 * What a container's process did: exited with a code, runs but never passes its health check, or runs and its
 * health check can be run as ECS runs it (`probe`: undefined when it passes, else what it printed).
 */
export type Verdict =
  | { readonly exitCode: number; readonly reason: string }
  | { readonly unhealthy: true; readonly reason: string }
  | { readonly probe: () => Promise<string | undefined>; readonly reason: string };

/** The image's configuration directory (`consul agent -config-dir=...`), under the container's root. */
const CONFIG_DIR = '/consul/config';

/**
 * The Consul server container: its entrypoint (docker/consul-server/entrypoint.sh) runs with the container's
 * environment and secrets, then `consul agent` would read the directory the entrypoint wrote. The agent refuses to
 * start (exit 1) on a file that does not parse, an unknown key or a wrongly typed value (consul-agent-config.ts), a
 * gossip key that is not base64 of 16, 24 or 32 bytes (memberlist's AES key sizes; `consul keygen` makes 32), or TLS
 * files it cannot load or whose key does not match the certificate. A certificate not issued by the CA it is told
 * to trust, or without the `server.<dc>.<domain>` name when `verify_server_hostname` is on, lets the agent start, but
 * no server accepts another's RPC: the cluster never elects a leader, which the check reports as unhealthy.
 *
 * The CA file may hold several certificates (a CA rotation's bundle): like Go's x509.CertPool, every one is trusted.
 * `trust`, when given, decides whether the running servers and this one accept each other's certificates
 * (tls-trust.ts); a refusal leaves it out of the quorum too, as a server whose RPC every peer rejects.
 *
 * Returns undefined when the agent would start and serve; `started`, when given, is called then with a reader of the
 * container's files (paths as inside the container), before they are removed.
 */
export async function checkConsulServer(
  script: string,
  environment: Record<string, string>,
  trust?: (tls: { trusts: X509Certificate[]; presents: X509Certificate }) => string | undefined,
  started?: (readFile: (path: string) => string | undefined) => void,
): Promise<Verdict | undefined> {
  const run = await runEntrypoint(script, 'consul', environment, (root) => {
    mkdirSync(join(root, CONFIG_DIR), { recursive: true });
    return { CONSUL_CONFIG_DIR: join(root, CONFIG_DIR) };
  });
  try {
    if (run.exitCode !== 0 || !run.args) return { exitCode: run.exitCode || 1, reason: entrypointError(run.stderr) };
    const dirArg = run.args.find((a) => a.startsWith('-config-dir='));
    const dir = dirArg ? dirArg.slice('-config-dir='.length) : join(run.root, CONFIG_DIR);
    const inContainer = (path: string) => join(run.root, path);
    const shown = (path: string) => (path.startsWith(run.root) ? path.slice(run.root.length) : path);
    const files = readdirSync(dir).filter((f) => f.endsWith('.hcl') || f.endsWith('.json')).sort();
    const configs: Array<Record<string, unknown>> = [];
    for (const file of files) {
      try {
        configs.push(parseAgentConfigFile(shown(join(dir, file)), readFileSync(join(dir, file), 'utf8')));
      } catch (error) {
        if (error instanceof AgentConfigError) return { exitCode: 1, reason: `==> ${error.message.trimEnd()}` };
        throw error;
      }
    }
    const value = (path: string): unknown => configs.map((c) => configValue(c, path)).filter((v) => v !== undefined).at(-1);

    const encrypt = value('encrypt');
    if (encrypt !== undefined) {
      const key = String(encrypt);
      const bytes = /^[A-Za-z0-9+/]*={0,2}$/.test(key) && key.length % 4 === 0 ? Buffer.from(key, 'base64') : undefined;
      if (!bytes) return { exitCode: 1, reason: '==> encrypt has invalid key: illegal base64 data' };
      if (![16, 24, 32].includes(bytes.length)) return { exitCode: 1, reason: `==> encrypt has invalid key: key size must be 16, 24 or 32 bytes, got ${bytes.length}` };
    }

    let material: { trusts: X509Certificate[]; presents: X509Certificate } | undefined;
    for (const section of ['defaults', 'internal_rpc', 'https', 'grpc']) {
      const tls = (name: string) => (value(`tls.${section}.${name}`) ?? value(`tls.defaults.${name}`)) as string | boolean | undefined;
      const [caFile, certFile, keyFile] = [tls('ca_file'), tls('cert_file'), tls('key_file')].map((v) => (typeof v === 'string' ? v : undefined));
      for (const file of [caFile, certFile, keyFile]) {
        if (file !== undefined && !existsSync(inContainer(file))) return { exitCode: 1, reason: `==> Failed to load TLS configuration: open ${file}: no such file or directory` };
      }
      if (!certFile || !keyFile) continue;
      let cert: X509Certificate;
      try {
        cert = new X509Certificate(readFileSync(inContainer(certFile)));
        if (!cert.checkPrivateKey(createPrivateKey(readFileSync(inContainer(keyFile))))) {
          return { exitCode: 1, reason: '==> Failed to load cert/key pair: tls: private key does not match public key' };
        }
      } catch (error) {
        return { exitCode: 1, reason: `==> Failed to load cert/key pair: ${(error as Error).message}` };
      }
      if (caFile) {
        const trusts = parseCertificates(readFileSync(inContainer(caFile), 'utf8'));
        if (!issuerIn(cert, trusts)) {
          return { unhealthy: true, reason: `RPC between servers fails: x509: certificate signed by unknown authority (${certFile} is not issued by ${caFile})` };
        }
        material ??= { trusts, presents: cert };
      }
      if (section === 'internal_rpc' && tls('verify_server_hostname') === true) {
        const name = `server.${String(value('datacenter') ?? 'dc1')}.${String(value('domain') ?? 'consul')}`;
        if (!cert.checkHost(name)) return { unhealthy: true, reason: `RPC between servers fails: x509: certificate is not valid for ${name}` };
      }
    }
    const refused = material && trust?.(material);
    if (refused) return { unhealthy: true, reason: `RPC between servers fails: ${refused}` };
    started?.((path) => (existsSync(inContainer(path)) ? readFileSync(inContainer(path), 'utf8') : undefined));
    return undefined;
  } finally {
    run.dispose();
  }
}
