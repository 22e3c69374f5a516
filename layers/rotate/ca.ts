import { createPrivateKey, X509Certificate } from 'node:crypto';
import type { SsmApi } from '../adapters/ssm';
import type { EcsApi } from '../adapters/ecs';
import { ConcurrentOperationError, SecretsInconsistentError } from '../errors';
import type { PreparedRotation, RotationCheck, StoredSecret } from './schemas';
import { deleteStaged } from './secret';

/**
 * The stages of a CA rotation (their order and why: layers/rotate/plan.ts, planCaRotation). The new CA waits in the
 * staging SecureString as JSON `{cert, key}` from the prepare step until its last stage; the execution's state holds
 * SSM versions only.
 */

type Ssm = Pick<SsmApi, 'getParameter' | 'putParameter' | 'deleteParameter'>;

/** The new CA as staged: a certificate and its key (PEM). */
export interface StagedCa {
  cert: string;
  key: string;
}

/** The certificates of a PEM bundle, each as its own PEM block (what Go's `AppendCertsFromPEM` loads, in order). */
export function splitCertificates(bundle: string): string[] {
  return (bundle.match(/-----BEGIN CERTIFICATE-----[\s\S]*?-----END CERTIFICATE-----/g) ?? []).map((block) => `${block}\n`);
}

/** Whether a CA certificate carries the public half of a private key (compares the keys, as `openssl x509 -pubkey` vs `pkey -pubout`). */
export function certificateMatchesKey(certPem: string, keyPem: string): boolean {
  return new X509Certificate(certPem).checkPrivateKey(createPrivateKey(keyPem));
}

function sameCertificate(a: string, b: string): boolean {
  return new X509Certificate(a).fingerprint256 === new X509Certificate(b).fingerprint256;
}

/**
 * Runs the next stage of a CA rotation (the first when `previous` is undefined): its SSM write, then UpdateService
 * `forceNewDeployment` for each service it replaces, in order. Each write is skipped when SSM already holds its value
 * (a retried step writes no second version). Returns where the rotation stands: both parameters' versions, when the
 * stage's roll began (each of its tasks must start after that), the stage's services, the tasks replaced so far.
 *
 * @throws ConcurrentOperationError when ca-cert no longer holds the staged CA at the `reissue` stage (someone wrote it
 *   meanwhile: the servers would sign with a key nobody trusts); SecretsInconsistentError when no certificate of the
 *   bundle matches the key at the `drop` stage.
 */
export async function runCaStage(
  prepared: PreparedRotation,
  previous: StoredSecret | undefined,
  check: RotationCheck | undefined,
  deps: { ssm: Ssm; ecs: Pick<EcsApi, 'updateService'>; now?: () => number },
): Promise<StoredSecret> {
  const stages = prepared.stages ?? [];
  const index = previous?.stage === undefined ? 0 : previous.stage + 1;
  const stage = stages[index];
  if (!stage || !prepared.keyParameter) throw new SecretsInconsistentError(`the CA rotation has no stage ${index + 1} (${stages.length} planned)`);
  const cert = await readParameter(deps.ssm, prepared.parameter);
  const key = await readParameter(deps.ssm, prepared.keyParameter);
  const bundle = splitCertificates(cert.value);
  let certVersion = cert.version;
  let keyVersion = key.version;
  let removed: string | undefined;
  if (stage.write === 'trust') {
    const staged = await readStaged(deps.ssm, prepared.stagingParameter);
    // Every CA the bundle holds stays: after a rotation that stopped half-way some servers may still present a
    // certificate of any of them.
    if (!bundle.some((c) => sameCertificate(c, staged.cert))) certVersion = await write(deps.ssm, prepared.parameter, [...bundle, staged.cert].join(''));
  } else if (stage.write === 'reissue') {
    const staged = await readStaged(deps.ssm, prepared.stagingParameter);
    if (!bundle.some((c) => sameCertificate(c, staged.cert))) {
      throw new ConcurrentOperationError(`${prepared.parameter} no longer holds the new CA stored by this rotation (version ${cert.version}): its key is not stored, rotate the CA again`);
    }
    if (key.value.trim() !== staged.key.trim()) keyVersion = await write(deps.ssm, prepared.keyParameter, staged.key);
  } else if (stage.write === 'drop') {
    const keep = bundle.filter((c) => certificateMatchesKey(c, key.value));
    if (keep.length === 0) throw new SecretsInconsistentError(`no certificate of ${prepared.parameter} matches ${prepared.keyParameter}: the bundle is left as it is`);
    if (keep.length < bundle.length) certVersion = await write(deps.ssm, prepared.parameter, keep.join(''));
    removed = `${bundle.length - keep.length} old CA certificate(s) removed from ${prepared.parameter} (kept in its SSM history)`;
    await deleteStaged(prepared, deps.ssm);
  }
  const writtenAt = (deps.now ?? Date.now)();
  for (const target of stage.targets) {
    await deps.ecs.updateService({ cluster: target.cluster, service: target.service, forceNewDeployment: true });
  }
  return {
    previousVersion: previous?.previousVersion ?? cert.version,
    version: certVersion,
    previousKeyVersion: previous?.previousKeyVersion ?? key.version,
    keyVersion,
    writtenAt,
    stage: index,
    stages: stages.length,
    last: index === stages.length - 1,
    targets: stage.targets,
    replaced: addReplaced(previous?.replaced, check?.replaced),
    // The drop stage says what it removed; the dataplanes' roll after it carries that on to the end.
    ...(removed ?? previous?.removed ? { removed: removed ?? previous?.removed } : {}),
  };
}

/** Tasks replaced per `cluster/service`, summed over stages (the servers roll three times). */
export function addReplaced(a: Record<string, number> = {}, b: Record<string, number> = {}): Record<string, number> {
  const sum = { ...a };
  for (const [service, n] of Object.entries(b)) sum[service] = (sum[service] ?? 0) + n;
  return sum;
}

/**
 * Writes the next version. Intelligent-Tiering: a bundle of several CAs can outgrow the Standard tier's 4 KB, and a
 * parameter that became Advanced can never go back to Standard.
 */
async function write(ssm: Ssm, name: string, value: string): Promise<number> {
  const { Version } = await ssm.putParameter({ Name: name, Type: 'SecureString', Value: value, Overwrite: true, Tier: 'Intelligent-Tiering' });
  return Version ?? 0;
}

async function readParameter(ssm: Ssm, name: string): Promise<{ value: string; version: number }> {
  const parameter = await ssm.getParameter(name, { decrypt: true });
  return { value: parameter?.Value ?? '', version: parameter?.Version ?? 1 };
}

async function readStaged(ssm: Ssm, name: string): Promise<StagedCa> {
  const { value } = await readParameter(ssm, name);
  const parsed = JSON.parse(value) as Partial<StagedCa>;
  if (typeof parsed.cert !== 'string' || typeof parsed.key !== 'string') throw new SecretsInconsistentError(`${name} does not hold a staged CA`);
  return { cert: parsed.cert, key: parsed.key };
}
