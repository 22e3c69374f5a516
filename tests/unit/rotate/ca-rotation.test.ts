import { generateKeyPairSync, X509Certificate } from 'node:crypto';
import type { PutParameterCommandInput } from '@aws-sdk/client-ssm';
import { issueCaCertificate } from '../../../layers/deploy/secrets';
import { certificateMatchesKey, runCaStage, splitCertificates } from '../../../layers/rotate/ca';
import { finishRotation, recordRotationFailure } from '../../../layers/rotate/finish';
import { planRotation } from '../../../layers/rotate/plan';
import { rotationProgress } from '../../../layers/rotate/progress';
import type { PreparedRotation, RotationCheck, StoredSecret } from '../../../layers/rotate/schemas';
import { stageNewSecret } from '../../../layers/rotate/secret';
import { referenceSpec } from '../consul/support/specs';

/**
 * The CA rotation's stages, on fakes: the order of its SSM writes and rolls, and, modelling what each replaced task
 * reads at start (it trusts the bundle of ca-cert; a server presents a certificate signed with ca-key), that no two
 * members ever distrust each other between any two steps.
 */
const CERT = '/consul-mesh/reference-mesh/secrets/tls/ca-cert';
const KEY = '/consul-mesh/reference-mesh/secrets/tls/ca-key';
const STAGING = '/consul-mesh/reference-mesh/rotation/pending';

function newCa(): { cert: string; key: string } {
  const { privateKey } = generateKeyPairSync('rsa', { modulusLength: 2048, privateKeyEncoding: { type: 'pkcs8', format: 'pem' }, publicKeyEncoding: { type: 'spki', format: 'pem' } });
  return { key: privateKey, cert: issueCaCertificate({ name: 'reference-mesh' }, privateKey) };
}
const fingerprint = (pem: string) => new X509Certificate(pem).fingerprint256;

/** A member of the mesh as it started: the CAs it trusts and, for a server, the CA its certificate is signed by. */
interface Member {
  trusts: string[];
  signedBy?: string;
}

function world(initial: { cert: string; key: string }) {
  const calls: string[] = [];
  const parameters = new Map<string, { value: string; version: number }>([
    [CERT, { value: initial.cert, version: 1 }],
    [KEY, { value: initial.key, version: 1 }],
  ]);
  const history: Record<string, string[]> = { [CERT]: [initial.cert], [KEY]: [initial.key] };
  const label = (name: string, value: string) =>
    name === CERT ? `ca-cert [${splitCertificates(value).map((c) => names.get(fingerprint(c)) ?? '?').join(', ')}]` : name === KEY ? `ca-key ${keyName(value)}` : 'staging';
  const names = new Map<string, string>();
  const keys = new Map<string, string>();
  const keyName = (key: string) => keys.get(key.trim()) ?? '?';
  const ssm = {
    async getParameter(name: string) {
      if (name.endsWith('/lock')) return { Value: JSON.stringify({ holder: 'exec', expiresAt: Number.MAX_SAFE_INTEGER }) };
      const found = parameters.get(name);
      if (!found) throw Object.assign(new Error('not found'), { name: 'ParameterNotFound' });
      return { Value: found.value, Version: found.version };
    },
    async putParameter(input: PutParameterCommandInput) {
      const name = input.Name ?? '';
      const value = input.Value ?? '';
      if (name !== STAGING) calls.push(`ssm:put ${label(name, value)}`);
      const version = (parameters.get(name)?.version ?? 0) + 1;
      parameters.set(name, { value, version });
      (history[name] ??= []).push(value);
      return { Version: version };
    },
    async deleteParameter(name: string) {
      calls.push(`ssm:delete ${name === STAGING ? 'staging' : name}`);
      parameters.delete(name);
    },
  };
  // Every reader service, as its tasks started: each roll restarts them with what SSM holds at that moment.
  const members = new Map<string, Member>();
  const start = (service: string) => {
    const trusts = splitCertificates(parameters.get(CERT)!.value);
    const key = parameters.get(KEY)!.value;
    const signer = trusts.find((c) => certificateMatchesKey(c, key));
    if (service === 'consul-server/consul-server' && !signer) throw new Error('the server cannot sign its certificate: no CA of the bundle takes the key');
    members.set(service, { trusts: trusts.map(fingerprint), ...(service === 'consul-server/consul-server' ? { signedBy: fingerprint(signer!) } : {}) });
  };
  for (const s of ['consul-server/consul-server', 'cluster-1/users', 'cluster-1/activities', 'cluster-2/todos', 'cluster-2/notifications', 'ingress/ingress-gateway']) start(s);
  /** Pairs that distrust each other: a member that does not trust the CA of the servers' certificate. */
  const distrust = () =>
    [...members].flatMap(([name, m]) => {
      const server = members.get('consul-server/consul-server')!;
      return m.trusts.includes(server.signedBy!) ? [] : [`${name} does not trust the servers`];
    });
  const ecs = {
    async updateService(input: { cluster?: string; service?: string; forceNewDeployment?: boolean }) {
      calls.push(`ecs:roll ${input.cluster}/${input.service}`);
      // A rolling replacement: old and new tasks of the service run side by side; both must trust and be trusted.
      const service = `${input.cluster}/${input.service}`;
      const old = members.get(service)!;
      start(service);
      const fresh = members.get(service)!;
      members.set(service, old);
      const during = [...distrust()];
      members.set(service, fresh);
      if (service === 'consul-server/consul-server' && !old.trusts.includes(fresh.signedBy!)) during.push('an old server does not trust a new one');
      if (service === 'consul-server/consul-server' && !fresh.trusts.includes(old.signedBy!)) during.push('a new server does not trust an old one');
      violations.push(...during, ...distrust());
      return undefined;
    },
  };
  const violations: string[] = [];
  return { calls, ssm, ecs, members, violations, names, keys, parameters, history };
}

function prepared(): PreparedRotation {
  const plan = planRotation(referenceSpec(), 'ca');
  return { ...plan, stagingParameter: STAGING, rotationId: 's-20261206070000-abcdef', lockName: '/consul-mesh/reference-mesh/lock', lockHolder: 'exec', pollSeconds: 0, maxRounds: 3 };
}

/** Runs every stage as the state machine does, each stage's check reporting the tasks it replaced. */
async function rotate(w: ReturnType<typeof world>, rotation: PreparedRotation, next: { cert: string; key: string }): Promise<StoredSecret> {
  await stageNewSecret({ ...rotation, mesh: 'reference-mesh' }, { ssm: w.ssm, newCa: () => next });
  let stored: StoredSecret | undefined;
  let check: RotationCheck | undefined;
  do {
    stored = await runCaStage(rotation, stored, check, { ssm: w.ssm, ecs: w.ecs, now: () => 1 });
    check = { ready: true, round: 1, waitingFor: '', replaced: Object.fromEntries((stored.targets ?? []).map((t) => [`${t.cluster}/${t.service}`, 1])) };
  } while (!stored.last);
  return { ...stored, replaced: { ...stored.replaced }, removed: stored.removed, ...{ check } } as StoredSecret & { check: RotationCheck };
}

describe('planRotation: the CA', () => {
  it('trusts both CAs everywhere (servers, then every dataplane), re-issues the servers, then drops the old CA (servers, then dataplanes)', () => {
    const plan = planRotation(referenceSpec(), 'ca');

    expect(plan.stages!.map((s) => [s.write ?? 'roll', s.targets.map((t) => t.service).join(' ')])).toEqual([
      ['trust', 'consul-server'],
      ['roll', 'users activities todos notifications ingress-gateway'],
      ['reissue', 'consul-server'],
      ['drop', 'consul-server'],
      ['roll', 'users activities todos notifications ingress-gateway'],
    ]);
    expect(plan.steps).toEqual([
      'generate the new CA',
      'store the CA bundle (old and new CA) in SSM, roll the Consul servers (consul-server/consul-server)',
      'roll every dataplane to trust both CAs (cluster-1/users, cluster-1/activities, cluster-2/todos, cluster-2/notifications, ingress/ingress-gateway)',
      'store the new CA key in SSM, roll the servers: they re-issue their certificates from the new CA',
      'store the new CA alone in SSM (the old one stays in the parameter\'s history), roll the servers',
      'roll every dataplane to trust the new CA only',
    ]);
    expect(plan.targets.map((t) => t.service)).toEqual(['consul-server', 'users', 'activities', 'todos', 'notifications', 'ingress-gateway']);
  });

  it('is not found for a mesh with TLS off', () => {
    const spec = referenceSpec();
    spec.consul.security.tls.enabled = false;
    expect(() => planRotation(spec, 'ca')).toThrow(expect.objectContaining({ name: 'NotFound', message: expect.stringContaining('TLS turned off') }));
  });
});

describe('CA rotation stages', () => {
  const oldCa = newCa();
  const next = newCa();

  function named(w: ReturnType<typeof world>) {
    w.names.set(fingerprint(oldCa.cert), 'old');
    w.names.set(fingerprint(next.cert), 'new');
    w.keys.set(oldCa.key.trim(), 'old');
    w.keys.set(next.key.trim(), 'new');
    return w;
  }

  it('writes the bundle, the key and the new CA alone in that order, each before its roll, and no two members ever distrust each other', async () => {
    const w = named(world(oldCa));

    const stored = (await rotate(w, prepared(), next)) as StoredSecret & { check: RotationCheck };

    const dataplanes = ['cluster-1/users', 'cluster-1/activities', 'cluster-2/todos', 'cluster-2/notifications', 'ingress/ingress-gateway'].map((s) => `ecs:roll ${s}`);
    expect(w.calls).toEqual([
      'ssm:put ca-cert [old, new]',
      'ecs:roll consul-server/consul-server',
      ...dataplanes,
      'ssm:put ca-key new',
      'ecs:roll consul-server/consul-server',
      'ssm:put ca-cert [new]',
      'ssm:delete staging',
      'ecs:roll consul-server/consul-server',
      ...dataplanes,
    ]);
    expect(w.violations).toEqual([]);
    for (const member of w.members.values()) expect(member.trusts).toEqual([fingerprint(next.cert)]);
    expect(w.members.get('consul-server/consul-server')!.signedBy).toBe(fingerprint(next.cert));
    // SSM keeps the old CA as earlier versions.
    expect(w.history[CERT].map((v) => splitCertificates(v).map(fingerprint))).toEqual([[fingerprint(oldCa.cert)], [fingerprint(oldCa.cert), fingerprint(next.cert)], [fingerprint(next.cert)]]);
    expect(w.history[KEY]).toEqual([oldCa.key, next.key]);
    expect(stored).toMatchObject({ previousVersion: 1, version: 3, previousKeyVersion: 1, keyVersion: 2, stage: 4, stages: 5, last: true, removed: expect.stringContaining('1 old CA certificate(s) removed') });

    const result = await finishRotation({ prepared: prepared(), stored, check: stored.check, removed: stored.removed! }, { ssm: w.ssm });
    expect(result).toMatchObject({ keyParameter: KEY, previousKeyVersion: 1, keyVersion: 2, replaced: { 'consul-server/consul-server': 3, 'cluster-1/users': 2, 'ingress/ingress-gateway': 2 } });
  });

  it('the order matters: re-issuing before every dataplane trusts the new CA leaves a dataplane distrusting the servers', async () => {
    const w = named(world(oldCa));
    const rotation = prepared();
    const [trust, , reissue] = rotation.stages!;
    rotation.stages = [trust, reissue];

    await rotate(w, rotation, next);

    expect(w.violations).toContain('cluster-1/users does not trust the servers');
  });

  it('a retried stage writes no second version', async () => {
    const w = named(world(oldCa));
    const rotation = prepared();
    await stageNewSecret({ ...rotation, mesh: 'reference-mesh' }, { ssm: w.ssm, newCa: () => next });

    const first = await runCaStage(rotation, undefined, undefined, { ssm: w.ssm, ecs: w.ecs });
    const again = await runCaStage(rotation, undefined, undefined, { ssm: w.ssm, ecs: w.ecs });

    expect(w.calls.filter((c) => c.startsWith('ssm:put'))).toEqual(['ssm:put ca-cert [old, new]']);
    expect(again).toMatchObject({ stage: 0, version: first.version });
  });

  it('finishing a rotation that stopped after its bundle keeps every CA of the bundle trusted until the servers were re-issued', async () => {
    const w = named(world(oldCa));
    const abandoned = newCa();
    w.names.set(fingerprint(abandoned.cert), 'abandoned');
    // A first rotation stored its bundle and rolled the servers, then failed: ca-cert holds [old, abandoned].
    await stageNewSecret({ ...prepared(), mesh: 'reference-mesh' }, { ssm: w.ssm, newCa: () => abandoned });
    await runCaStage(prepared(), undefined, undefined, { ssm: w.ssm, ecs: w.ecs });
    await recordRotationFailure({ executionId: 'exec', secret: 'ca', step: 'wait', error: { Error: 'ServiceNotStable' }, prepared: prepared() }, { ssm: w.ssm, meshName: 'reference-mesh' });
    w.calls.length = 0;

    await rotate(w, prepared(), next);

    expect(w.calls.filter((c) => c.startsWith('ssm:put'))).toEqual(['ssm:put ca-cert [old, abandoned, new]', 'ssm:put ca-key new', 'ssm:put ca-cert [new]']);
    expect(w.violations).toEqual([]);
  });

  it('on a failure, drops the staged CA, releases the lock and says where the CA stands', async () => {
    const w = named(world(oldCa));
    const rotation = prepared();
    await stageNewSecret({ ...rotation, mesh: 'reference-mesh' }, { ssm: w.ssm, newCa: () => next });
    const stored = await runCaStage(rotation, undefined, undefined, { ssm: w.ssm, ecs: w.ecs });

    const failure = await recordRotationFailure(
      { executionId: 'exec', secret: 'ca', step: 'wait', error: { Error: 'ServiceNotStable', Cause: '{"errorMessage":"not stable"}' }, prepared: rotation, stored },
      { ssm: w.ssm, meshName: 'reference-mesh' },
    );

    expect(w.parameters.has(STAGING)).toBe(false);
    expect(w.calls.slice(-2)).toEqual(['ssm:delete staging', 'ssm:delete /consul-mesh/reference-mesh/lock']);
    expect(JSON.parse(failure.cause).message).toMatch(/^not stable; the CA rotation stopped during stage 1 of 5: .*ca-cert is at version 2, .*ca-key at version 1 .*rotate ca again to finish/);
  });
});

describe('rotationProgress: the CA', () => {
  const entered = (names: string[]) => names.map((name, i) => ({ id: i + 1, type: 'TaskStateEntered', stateEnteredEventDetails: { name } })) as never[];

  it('shows each stage as store then wait, the earlier wait no longer running once the next stage stores', () => {
    const states = (names: string[]) => rotationProgress(entered(names)).steps.map((s) => `${s.name}:${s.state}`);

    expect(states(['Prepare', 'Kind?', 'CaBegin', 'Rolling', 'WaitRolled', 'CheckRolled', 'Rolled?', 'Stages?', 'CaStages?', 'CaNext'])).toEqual([
      'prepare:done',
      'activate:done',
      'store:running',
      'wait:pending',
      'retire:pending',
      'finish:pending',
    ]);
    expect(states(['Prepare', 'Kind?', 'CaBegin', 'Rolling', 'CaNext', 'Rolling', 'WaitRolled', 'CheckRolled', 'Rolled?', 'Stages?', 'CaStages?', 'CaDone', 'Finish'])).toEqual([
      'prepare:done',
      'activate:done',
      'store:done',
      'wait:done',
      'retire:done',
      'finish:running',
    ]);
    expect(states(['Prepare', 'Kind?', 'CaBegin', 'Rolling', 'CaNext', 'Failed:store-ca'])).toContain('store:failed');
  });
});
