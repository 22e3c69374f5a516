import type { PutParameterCommandInput } from '@aws-sdk/client-ssm';
import type { Task } from '@aws-sdk/client-ecs';
import type { ConsulAclTokenInput } from '../../../layers/adapters/consul-acl';
import { tokenAccessorId, tokenAccessorIdForVersion } from '../../../layers/domain/consul/acl-policies';
import { finishRotation, recordRotationFailure } from '../../../layers/rotate/finish';
import { planRotation, rotatableSecrets } from '../../../layers/rotate/plan';
import { prepareRotation } from '../../../layers/rotate/prepare';
import { checkRotation, rollTargets } from '../../../layers/rotate/roll';
import type { PreparedRotation } from '../../../layers/rotate/schemas';
import { activateNewSecret, retireOldSecret, stageNewSecret, storeNewSecret, type RotationConsul } from '../../../layers/rotate/secret';
import { referenceSpec } from '../consul/support/specs';

/**
 * The order of a rotation, observed on fakes that log every call: the new secret is live in Consul before SSM holds
 * it, the tasks are replaced after SSM holds it, and the old secret is retired only after every task was replaced.
 */
const STAGING = '/consul-mesh/reference-mesh/rotation/pending';

function world(initial: { value: string; version: number }) {
  const calls: string[] = [];
  const parameters = new Map<string, { value: string; version: number }>();
  const tokens = new Map<string, { SecretID: string; Description: string; Policies: Array<{ ID: string; Name: string }>; ServiceIdentities: Array<{ ServiceName: string }> }>();
  const keys = new Set<string>([initial.value]);
  let clock = 1_000;
  let secretName = '';
  const touch = (name: string) => {
    if (name !== STAGING && !name.endsWith('/lock')) secretName ||= name;
    if (!parameters.has(secretName) && secretName) parameters.set(secretName, { ...initial });
    return name === STAGING ? 'staging' : name.endsWith('/lock') ? 'lock' : 'secret';
  };
  const ssm = {
    async getParameter(name: string) {
      if (name.endsWith('/lock')) return { Value: JSON.stringify({ holder: 'exec', expiresAt: Number.MAX_SAFE_INTEGER }) };
      touch(name);
      const found = parameters.get(name);
      if (!found) throw Object.assign(new Error('not found'), { name: 'ParameterNotFound' });
      return { Value: found.value, Version: found.version };
    },
    async putParameter(input: PutParameterCommandInput) {
      const name = input.Name ?? '';
      calls.push(`ssm:put ${touch(name)}`);
      const version = (parameters.get(name)?.version ?? 0) + 1;
      parameters.set(name, { value: input.Value ?? '', version });
      return { Version: version };
    },
    async deleteParameter(name: string) {
      calls.push(`ssm:delete ${touch(name)}`);
      parameters.delete(name);
    },
  };
  const consul: RotationConsul = {
    leader: async () => '10.0.0.1:8300',
    readToken: async (id) => {
      const t = tokens.get(id);
      return t && { AccessorID: id, ...t };
    },
    createToken: async (input: ConsulAclTokenInput) => {
      calls.push(`consul:create-token ${input.AccessorID}`);
      tokens.set(input.AccessorID, { SecretID: input.SecretID, Description: input.Description, Policies: input.Policies.map((p) => ({ ID: p.Name, Name: p.Name })), ServiceIdentities: [...input.ServiceIdentities] });
      return { AccessorID: input.AccessorID, SecretID: input.SecretID, Description: input.Description };
    },
    deleteToken: async (id) => {
      if (tokens.delete(id)) calls.push(`consul:delete-token ${id}`);
    },
    keyringList: async () => [{ WAN: false, Keys: Object.fromEntries([...keys].map((k) => [k, 3])), NumNodes: 3 }],
    keyringInstall: async (key) => {
      calls.push('consul:keyring-install');
      keys.add(key);
    },
    keyringUse: async () => {
      calls.push('consul:keyring-use');
    },
    keyringRemove: async (key) => {
      calls.push(`consul:keyring-remove ${key === initial.value ? 'old' : 'new'}`);
      keys.delete(key);
    },
  };
  const tasks: Task[] = [{ taskArn: 'arn:aws:ecs:us-east-1:000000000000:task/c/old1', lastStatus: 'RUNNING', createdAt: new Date(500) }];
  const ecs = {
    updateService: async (input: { cluster?: string; service?: string; forceNewDeployment?: boolean }) => {
      calls.push(`ecs:update ${input.cluster}/${input.service} force=${input.forceNewDeployment}`);
      return undefined;
    },
    describeServices: async () => [{ status: 'ACTIVE', desiredCount: 1, deployments: [{ status: 'PRIMARY' }] }],
    serviceTasks: async () => {
      calls.push('ecs:tasks');
      return tasks;
    },
  };
  return {
    calls,
    ssm,
    consul,
    ecs,
    tokens,
    keys,
    tick: () => (clock += 1000),
    now: () => clock,
    replaceTasks: () => tasks.splice(0, tasks.length, { taskArn: 'arn:aws:ecs:us-east-1:000000000000:task/c/new1', lastStatus: 'RUNNING', createdAt: new Date(clock + 1) }),
    parameter: () => parameters.get(secretName),
    staged: () => parameters.get(STAGING),
  };
}

function prepared(secret: string): PreparedRotation {
  const plan = planRotation(referenceSpec(), secret);
  return { ...plan, stagingParameter: STAGING, rotationId: 's-20261206070000-abcdef', lockName: '/consul-mesh/reference-mesh/lock', lockHolder: 'exec', pollSeconds: 0, maxRounds: 3 };
}

describe('planRotation', () => {
  it('rolls the servers for the gossip key and the one reader service for a token', () => {
    const spec = referenceSpec();
    const gossip = planRotation(spec, 'gossip-key');
    const users = planRotation(spec, 'acl-token/dataplane/users');
    const agent = planRotation(spec, 'acl-token/server-agent');

    expect(gossip).toMatchObject({ kind: 'gossip-key', parameter: '/consul-mesh/reference-mesh/secrets/gossip-key', targets: [{ service: 'consul-server', role: 'server' }] });
    expect(users).toMatchObject({ kind: 'acl-token', role: 'dataplane/users', parameter: '/consul-mesh/reference-mesh/secrets/acl/dataplane/users', targets: [{ service: 'users', role: 'service' }] });
    expect(agent.targets).toEqual([expect.objectContaining({ service: 'consul-server', role: 'server' })]);
    expect(gossip.steps).toEqual(['install the new key on every Consul server', 'make the new key primary', 'store the new key in SSM', expect.stringMatching(/^roll the Consul servers/), 'remove the old key from every server']);
  });

  it('plans the CA (no longer refused); refuses the management and orchestrator tokens, and names the rotatable secrets for an unknown one', () => {
    const spec = referenceSpec();

    expect(planRotation(spec, 'ca')).toMatchObject({ kind: 'ca', parameter: '/consul-mesh/reference-mesh/secrets/tls/ca-cert', keyParameter: '/consul-mesh/reference-mesh/secrets/tls/ca-key' });
    expect(rotatableSecrets(spec)).toContain('ca');
    expect(() => planRotation(spec, 'acl-token/bootstrap')).toThrow(expect.objectContaining({ name: 'RotationNotSupported' }));
    expect(() => planRotation(spec, 'acl-token/orchestrator')).toThrow(expect.objectContaining({ name: 'RotationNotSupported' }));
    expect(() => planRotation(spec, 'acl-token/dataplane/nope')).toThrow(expect.objectContaining({ name: 'NotFound', message: expect.stringContaining('acl-token/dataplane/users') }));
    expect(rotatableSecrets(spec)).toContain('gossip-key');
    expect(rotatableSecrets(spec)).not.toContain('acl-token/orchestrator');
  });
});

describe('tokenAccessorIdForVersion', () => {
  it('keeps the unversioned AccessorID for version 1 and gives each later version its own', () => {
    const spec = { name: 'reference-mesh' };

    expect(tokenAccessorIdForVersion(spec, 'dataplane/users', 1)).toBe(tokenAccessorId(spec, 'dataplane/users'));
    expect(tokenAccessorIdForVersion(spec, 'dataplane/users', undefined)).toBe(tokenAccessorId(spec, 'dataplane/users'));
    expect(tokenAccessorIdForVersion(spec, 'dataplane/users', 2)).not.toBe(tokenAccessorId(spec, 'dataplane/users'));
    expect(tokenAccessorIdForVersion(spec, 'dataplane/users', 2)).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-5[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
  });
});

describe('rotation order', () => {
  async function run(w: ReturnType<typeof world>, rotation: PreparedRotation) {
    await w.ssm.getParameter(rotation.parameter);
    await stageNewSecret(rotation, { ssm: w.ssm, newGossipKey: () => 'NEWKEY', newSecretId: () => 'new-secret' });
    const activated = await activateNewSecret(rotation, { ssm: w.ssm, consul: w.consul });
    const stored = await storeNewSecret(rotation, activated, { ssm: w.ssm, now: w.now });
    await rollTargets(rotation, { ecs: w.ecs });
    w.tick();
    let check = await checkRotation(rotation, stored, { ready: false, round: 0, waitingFor: '', replaced: {} }, { ecs: w.ecs, consul: { leader: w.consul.leader, healthService: async () => [] } });
    expect(check.ready).toBe(false);
    w.calls.push('(tasks replaced)');
    w.replaceTasks();
    check = await checkRotation(rotation, stored, check, {
      ecs: w.ecs,
      consul: { leader: w.consul.leader, healthService: async () => [{ Service: { ID: 'users-new1' }, Checks: [{ Status: 'passing' }] }] as never },
    });
    expect(check).toMatchObject({ ready: true, replaced: expect.any(Object) });
    const removed = await retireOldSecret(rotation, stored, { ssm: w.ssm, consul: w.consul });
    return finishRotation({ prepared: rotation, stored, check, removed }, { ssm: w.ssm });
  }

  it('gossip key: install, use, store in SSM, roll the servers, then remove the old key', async () => {
    const w = world({ value: 'OLDKEY', version: 1 });

    const result = await run(w, prepared('gossip-key'));

    const order = w.calls.filter((c) => c !== 'ecs:tasks');
    expect(order).toEqual([
      'ssm:put staging',
      'consul:keyring-install',
      'consul:keyring-use',
      'ssm:put secret',
      'ssm:delete staging',
      'ecs:update consul-server/consul-server force=true',
      '(tasks replaced)',
      'consul:keyring-remove old',
      'ssm:delete lock',
    ]);
    expect([...w.keys]).toEqual(['NEWKEY']);
    expect(result).toMatchObject({ previousVersion: 1, version: 2 });
  });

  it('gossip key: says the old key is gone when the replaced servers no longer hold it, and removes nothing', async () => {
    const w = world({ value: 'OLDKEY', version: 1 });
    const rotation = prepared('gossip-key');
    await stageNewSecret(rotation, { ssm: w.ssm, newGossipKey: () => 'NEWKEY', newSecretId: () => 'new-secret' });
    const stored = await storeNewSecret(rotation, await activateNewSecret(rotation, { ssm: w.ssm, consul: w.consul }), { ssm: w.ssm, now: w.now });
    w.keys.delete('OLDKEY'); // every server was replaced: each joined with the new key only

    const removed = await retireOldSecret(rotation, stored, { ssm: w.ssm, consul: w.consul });

    expect(removed).toBe('the old gossip key is on no server any more (each started anew with the new key only)');
    expect(w.calls.filter((c) => c.startsWith('consul:keyring-remove'))).toEqual([]);
  });

  it('ACL token: create the new token, store it in SSM, roll the tasks, then delete the old token', async () => {
    const w = world({ value: 'old-secret', version: 1 });
    const old = tokenAccessorId({ name: 'reference-mesh' }, 'dataplane/users');
    w.tokens.set(old, { SecretID: 'old-secret', Description: 'dataplane of users', Policies: [], ServiceIdentities: [{ ServiceName: 'users' }] });
    const next = tokenAccessorIdForVersion({ name: 'reference-mesh' }, 'dataplane/users', 2);

    const result = await run(w, prepared('acl-token/dataplane/users'));

    const order = w.calls.filter((c) => c !== 'ecs:tasks');
    expect(order).toEqual([
      'ssm:put staging',
      `consul:create-token ${next}`,
      'ssm:put secret',
      'ssm:delete staging',
      expect.stringMatching(/^ecs:update .*\/users force=true$/),
      '(tasks replaced)',
      `consul:delete-token ${old}`,
      'ssm:delete lock',
    ]);
    expect(w.tokens.get(next)).toMatchObject({ SecretID: 'new-secret', ServiceIdentities: [{ ServiceName: 'users' }] });
    expect(w.tokens.has(old)).toBe(false);
    expect(w.parameter()).toEqual({ value: 'new-secret', version: 2 });
    expect(result.removed).toContain(old);
  });

  it('refuses a token Consul does not hold with the stored SecretID, before writing anything', async () => {
    const w = world({ value: 'old-secret', version: 1 });

    const rotation = prepared('acl-token/dataplane/users');
    await w.ssm.getParameter(rotation.parameter);
    await stageNewSecret(rotation, { ssm: w.ssm });

    await expect(activateNewSecret(rotation, { ssm: w.ssm, consul: w.consul })).rejects.toMatchObject({ name: 'AclTokenMismatch' });
    expect(w.calls.filter((c) => c === 'ssm:put secret' || c.startsWith('consul:create'))).toEqual([]);
  });

  it('waits while a task that started before the new version still runs, and gives up after maxRounds', async () => {
    const w = world({ value: 'OLDKEY', version: 1 });
    const rotation = prepared('gossip-key');
    await w.ssm.getParameter(rotation.parameter);
    await stageNewSecret(rotation, { ssm: w.ssm, newGossipKey: () => 'NEWKEY' });
    const stored = await storeNewSecret(rotation, await activateNewSecret(rotation, { ssm: w.ssm, consul: w.consul }), { ssm: w.ssm, now: w.now });
    const deps = { ecs: w.ecs, consul: { leader: w.consul.leader, healthService: async () => [] } };

    const first = await checkRotation(rotation, stored, { ready: false, round: 0, waitingFor: '', replaced: {} }, deps);

    expect(first.waitingFor).toContain('1 older still running');
    await expect(checkRotation(rotation, stored, { ...first, round: 2 }, deps)).rejects.toMatchObject({ name: 'ServiceNotStable' });
  });

  it('on a failure after staging, drops the staged secret, releases the lock and says the old secret still works', async () => {
    const w = world({ value: 'OLDKEY', version: 1 });
    const rotation = prepared('gossip-key');
    await stageNewSecret(rotation, { ssm: w.ssm, newGossipKey: () => 'NEWKEY' });

    const failure = await recordRotationFailure(
      { executionId: 'exec', secret: 'gossip-key', step: 'activate', error: { Error: 'ConsulUnavailable', Cause: '{"errorMessage":"Consul is down"}' }, prepared: rotation },
      { ssm: w.ssm, meshName: 'reference-mesh' },
    );

    expect(w.staged()).toBeUndefined();
    expect(w.calls.slice(-2)).toEqual(['ssm:delete staging', 'ssm:delete lock']);
    expect(failure.error).toBe('ConsulUnavailable');
    expect(JSON.parse(failure.cause)).toMatchObject({ step: 'activate', message: expect.stringContaining('Consul is down; the old secret still works') });
  });

  describe('prepareRotation', () => {
    const spec = referenceSpec();
    const consul = { kvGet: async () => ({ value: JSON.stringify(spec), modifyIndex: 1 }) };
    const input = { rotationId: 's-20261206070000-abcdef', request: { secret: 'acl-token/dataplane/users' }, settings: { pollSeconds: 0, maxRounds: 3 }, executionId: 'arn:aws:states:us-east-1:000000000000:execution:rotate:s-1' };
    function ssmWith(locks: Record<string, string>) {
      const puts: string[] = [];
      return {
        puts,
        async getParameter(name: string) {
          if (locks[name]) return { Value: JSON.stringify({ holder: locks[name], expiresAt: Number.MAX_SAFE_INTEGER }) };
          throw Object.assign(new Error('not found'), { name: 'ParameterNotFound' });
        },
        async putParameter(input: PutParameterCommandInput) {
          const name = input.Name ?? '';
          if (locks[name] && !input.Overwrite) throw Object.assign(new Error('exists'), { name: 'ParameterAlreadyExists' });
          puts.push(name);
          return { Version: 1 };
        },
        async deleteParameter() {},
      };
    }

    it('refuses while a rollout of the service it would roll runs, naming it, and writes nothing', async () => {
      const ssm = ssmWith({ '/consul-mesh/reference-mesh/rollouts/users/lock': 'arn:aws:states:us-east-1:000000000000:execution:rollout:users-1' });

      await expect(prepareRotation(input, { ssm, consul, meshName: 'reference-mesh', holders: { isRunning: async () => true } })).rejects.toMatchObject({
        name: 'ConcurrentOperation',
        message: expect.stringContaining('a rollout of service "users"'),
      });
      expect(ssm.puts).toEqual([]);
    });

    it('refuses while a deployment holds the mesh lock, naming the holder; takes the lock and stages the secret otherwise', async () => {
      const busy = ssmWith({ '/consul-mesh/reference-mesh/lock': 'arn:aws:states:us-east-1:000000000000:execution:deploy:d-1' });
      const free = ssmWith({});

      await expect(prepareRotation(input, { ssm: busy, consul, meshName: 'reference-mesh', holders: { isRunning: async () => true } })).rejects.toMatchObject({
        name: 'ConcurrentOperation',
        message: expect.stringContaining('execution:deploy:d-1'),
      });
      const prepared = await prepareRotation(input, { ssm: free, consul, meshName: 'reference-mesh' });
      expect(free.puts).toEqual(['/consul-mesh/reference-mesh/lock', '/consul-mesh/reference-mesh/rotation/pending']);
      expect(prepared).toMatchObject({ lockHolder: input.executionId, stagingParameter: '/consul-mesh/reference-mesh/rotation/pending', targets: [{ service: 'users' }] });
    });
  });
});
