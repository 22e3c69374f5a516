import { lambdaError, runAsl, type Json, type TaskHandler } from './asl-runner';

/**
 * Every path of state-machines/deploy-mesh.asl.json, executed with scripted step functions: success (with and
 * without an ingress), Lambda service errors retried, Consul not ready retried, a failure caught in each stage,
 * and a wait loop that runs out of rounds.
 */
const stage = (name: string, cluster: string) => ({ stage: name, cluster, ready: false, round: 0, waitingFor: 'ECS', services: [] });

const removal = { kind: 'service', id: 'cluster-2/old', action: 'remove', reasons: ['no longer in the spec'], cluster: 'cluster-2', role: 'service', desiredCount: 0 };

function plan(hasIngress = true, removals: Json[] = [], hasMeshGateway = false, hasPeering = false) {
  return {
    mesh: 'shop',
    deploymentId: 'd-1',
    specHash: 'a'.repeat(64),
    images: [{ name: 'consul-server', repository: 'shop/consul-server', tag: 'ctx-1' }, { name: 'users', image: 'users:1.0.0' }],
    serverCluster: { cluster: 'consul-server', services: ['consul-server'] },
    serviceClusters: [
      { cluster: 'cluster-1', services: ['users'] },
      { cluster: 'cluster-2', services: ['todos'] },
    ],
    ingressCluster: hasIngress ? { cluster: 'ingress', services: ['ingress-gateway'] } : null,
    hasIngress,
    meshGatewayCluster: hasMeshGateway ? { cluster: 'mesh-gateway', services: ['mesh-gateway'] } : null,
    hasMeshGateway,
    hasPeering,
    peering: { removed: [] },
    pollSeconds: 0,
    maxRounds: 3,
    changes: [],
    removals,
    hasRemovals: removals.length > 0,
    lockName: '/consul-mesh/shop/lock',
    lockHolder: 'exec',
  };
}

/** Handlers that deploy successfully: builds take two polls, each stage is ready on its second check. */
function happy(overrides: Record<string, TaskHandler> = {}, hasIngress = true, removals: Json[] = []): Record<string, TaskHandler> {
  return {
    planDeployment: () => plan(hasIngress, removals),
    ensureImage: (input: Json) =>
      input.job.repository ? { name: input.job.name, status: 'IN_PROGRESS', buildId: 'b', imageUri: 'uri', phase: 'SUBMITTED', round: 0 } : { name: input.job.name, status: 'READY', imageUri: input.job.image, round: 0 },
    checkImageBuild: (input: Json) => ({ ...input.build, status: input.build.round >= 1 ? 'SUCCEEDED' : 'IN_PROGRESS', round: input.build.round + 1 }),
    storeConfig: () => ({ parameters: [] }),
    ensureStage: (input: Json) => stage(input.stage, input.cluster?.cluster ?? input.stage),
    checkStage: (input: Json) => ({ ...input.previous, round: input.previous.round + 1, ready: input.previous.round + 1 >= 2, waitingFor: '' }),
    ensureAcl: () => ({ written: [], unchanged: [] }),
    applyConfigEntries: () => ({ written: [] }),
    // A dialer's peering: ESTABLISHING after the ensure step, ACTIVE at the second check.
    ensurePeering: () => ({ ready: false, round: 0, waitingFor: 'peering "east" ESTABLISHING', peers: [{ name: 'east', role: 'dialer', action: 'established', state: 'ESTABLISHING' }] }),
    checkPeering: (input: Json) => ({ ...input.previous, round: input.previous.round + 1, ready: input.previous.round + 1 >= 2, waitingFor: '' }),
    startRemovals: () => ({ ready: false, round: 0, waitingFor: 'drain', removed: ['scaled-to-0:cluster-2/old'] }),
    checkRemovals: (input: Json) => ({ ...input.previous, round: input.previous.round + 1, ready: input.previous.round + 1 >= 2, waitingFor: '' }),
    summarize: () => ({ mesh: 'shop', noChange: false }),
    recordFailure: (input: Json) => ({ error: input.error.Error, cause: JSON.stringify({ stage: input.failedStage, error: input.error.Error }) }),
    ...overrides,
  };
}

const input = { deploymentId: 'd-1', spec: { name: 'shop' }, settings: { pollSeconds: 0, maxRounds: 3 } };
const firstIndex = (states: string[], names: string[]) => names.map((n) => states.indexOf(n));

describe('the deploy state machine', () => {
  it('runs plan → images → config → servers → service clusters → ingress → summary', async () => {
    const run = await runAsl('deploy-mesh.asl.json', input, happy());
    expect(run.status).toBe('SUCCEEDED');
    expect(run.output).toEqual({ mesh: 'shop', noChange: false });
    const order = firstIndex(run.states, ['Plan', 'BuildImages', 'StoreConfig', 'ServersEnsure', 'EnsureAcl', 'ApplyConfigEntries', 'ServiceClusters', 'IngressEnsure', 'Summarize', 'Deployed']);
    expect(order.every((i) => i >= 0)).toBe(true);
    expect([...order].sort((a, b) => a - b)).toEqual(order);
    expect(run.states.filter((s) => s === 'CheckBuild')).toHaveLength(2);
    expect(run.states.filter((s) => s === 'ClusterEnsure')).toHaveLength(2);
    expect(run.states).not.toContain('RecordFailure');
  });

  it('skips the removal stage when the change set removes nothing', async () => {
    const run = await runAsl('deploy-mesh.asl.json', input, happy());
    expect(run.states).toContain('HasRemovals?');
    expect(run.states).not.toContain('RemoveStart');
  });

  it('removes after the ingress and before the summary: scale to 0, then check until drained and deleted', async () => {
    let summarized: Json;
    const run = await runAsl('deploy-mesh.asl.json', input, happy({ summarize: (i: Json) => { summarized = i; return { mesh: 'shop', noChange: false }; } }, true, [removal]));
    expect(run.status).toBe('SUCCEEDED');
    const order = firstIndex(run.states, ['IngressEnsure', 'RemoveStart', 'RemoveCheck', 'Summarize']);
    expect(order.every((i) => i >= 0)).toBe(true);
    expect([...order].sort((a, b) => a - b)).toEqual(order);
    expect(run.states.filter((s) => s === 'RemoveCheck')).toHaveLength(2);
    expect(summarized.removal).toMatchObject({ ready: true, removed: ['scaled-to-0:cluster-2/old'] });
  });

  it('removes for a mesh without a gateway too', async () => {
    const run = await runAsl('deploy-mesh.asl.json', input, happy({}, false, [removal]));
    expect(run.status).toBe('SUCCEEDED');
    expect(run.states).toContain('RemoveStart');
    expect(run.states).not.toContain('IngressEnsure');
  });

  it('ends the removal loop after its rounds with StageTimedOut, saying what it waited for', async () => {
    let recorded: Json;
    const run = await runAsl(
      'deploy-mesh.asl.json',
      input,
      happy(
        {
          checkRemovals: (i: Json) => ({ ...i.previous, round: i.previous.round + 1, ready: false, waitingFor: 'removed services to drain: cluster-2/old (1 task(s))' }),
          recordFailure: (i: Json) => {
            recorded = i;
            return { error: i.error.Error, cause: 'timed out' };
          },
        },
        true,
        [removal],
      ),
    );
    expect(run.status).toBe('FAILED');
    expect(run.states).toContain('RemovalsTimedOut');
    expect(recorded.failedStage).toBe('removals');
    expect(recorded.error).toEqual({ Error: 'StageTimedOut', Cause: 'removals stage not done after 3 rounds: waiting for removed services to drain: cluster-2/old (1 task(s))' });
  });

  it('runs the mesh gateway stage after the config entries and before the service clusters, and skips it without one', async () => {
    const run = await runAsl('deploy-mesh.asl.json', input, happy({ planDeployment: () => plan(true, [], true) }));
    expect(run.status).toBe('SUCCEEDED');
    const order = firstIndex(run.states, ['ServersEnsure', 'ApplyConfigEntries', 'MeshGatewayEnsure', 'MeshGatewayCheck', 'ServiceClusters']);
    expect(order.every((i) => i >= 0)).toBe(true);
    expect([...order].sort((a, b) => a - b)).toEqual(order);
    expect(run.states.filter((s) => s === 'MeshGatewayCheck')).toHaveLength(2);
    const without = await runAsl('deploy-mesh.asl.json', input, happy());
    expect(without.states).toContain('HasMeshGateway?');
    expect(without.states).not.toContain('MeshGatewayEnsure');
  });

  it('catches a failure in the mesh gateway stage, records it and fails with its error', async () => {
    const run = await runAsl(
      'deploy-mesh.asl.json',
      input,
      happy({
        planDeployment: () => plan(true, [], true),
        ensureStage: (i: Json) => {
          if (i.stage === 'mesh-gateway') throw Object.assign(new Error('boom'), { name: 'DeploymentFailed' });
          return stage(i.stage, i.cluster?.cluster ?? i.stage);
        },
      }),
    );
    expect(run.status).toBe('FAILED');
    expect(run.states).toContain('Failed:mesh-gateway');
    expect(run.states).not.toContain('ServiceClusters');
  });

  it('runs the peering stage after the mesh gateway stage and before the service clusters, and skips it without peers', async () => {
    let summarized: Json;
    const run = await runAsl(
      'deploy-mesh.asl.json',
      input,
      happy({
        planDeployment: () => plan(true, [], true, true),
        summarize: (i: Json) => {
          summarized = i;
          return { mesh: 'shop', noChange: false };
        },
      }),
    );
    expect(run.status).toBe('SUCCEEDED');
    const order = firstIndex(run.states, ['ApplyConfigEntries', 'MeshGatewayCheck', 'HasPeering?', 'PeeringEnsure', 'PeeringCheck', 'ServiceClusters']);
    expect(order.every((i) => i >= 0)).toBe(true);
    expect([...order].sort((a, b) => a - b)).toEqual(order);
    expect(run.states.filter((s) => s === 'PeeringCheck')).toHaveLength(2);
    expect(summarized.peering).toMatchObject({ ready: true, peers: [{ name: 'east', action: 'established' }] });
    const without = await runAsl('deploy-mesh.asl.json', input, happy({ planDeployment: () => plan(true, [], true) }));
    expect(without.states).toContain('HasPeering?');
    expect(without.states).not.toContain('PeeringEnsure');
  });

  it('goes on without a wait when the ensure step leaves nothing to wait for (an acceptor)', async () => {
    const run = await runAsl(
      'deploy-mesh.asl.json',
      input,
      happy({
        planDeployment: () => plan(true, [], true, true),
        ensurePeering: () => ({ ready: true, round: 0, waitingFor: '', peers: [{ name: 'west', role: 'acceptor', action: 'token-generated', state: 'PENDING' }] }),
      }),
    );
    expect(run.status).toBe('SUCCEEDED');
    expect(run.states).toContain('PeeringEnsure');
    expect(run.states).not.toContain('PeeringCheck');
  });

  it('fails the peering stage at once on PeeringTokenMissing, with its message, before any service cluster', async () => {
    let recorded: Json;
    let calls = 0;
    const run = await runAsl(
      'deploy-mesh.asl.json',
      input,
      happy({
        planDeployment: () => plan(true, [], true, true),
        ensurePeering: () => {
          calls += 1;
          throw lambdaError('PeeringTokenMissing', 'deploy mesh "east-mesh" in region us-east-1 first');
        },
        recordFailure: (i: Json) => {
          recorded = i;
          return { error: i.error.Error, cause: 'missing' };
        },
      }),
    );
    expect(run.status).toBe('FAILED');
    expect(calls).toBe(1);
    expect(run.states).toContain('Failed:peering');
    expect(run.states).not.toContain('ServiceClusters');
    expect(recorded.failedStage).toBe('peering');
    expect(recorded.error.Error).toBe('PeeringTokenMissing');
    expect(recorded.error.Cause).toContain('in region us-east-1 first');
  });

  it('retries the peering ensure on PeeringNotActive (a TERMINATED peering still being deleted), a bounded number of times', async () => {
    let calls = 0;
    const settles = await runAsl(
      'deploy-mesh.asl.json',
      input,
      happy({
        planDeployment: () => plan(true, [], true, true),
        ensurePeering: () => {
          calls += 1;
          if (calls <= 2) throw lambdaError('PeeringNotActive', 'peering "west" was deleted to be made anew, and Consul still has it');
          return { ready: true, round: 0, waitingFor: '', peers: [{ name: 'west', role: 'acceptor', action: 'token-generated', state: 'PENDING' }] };
        },
      }),
    );
    expect(settles.status).toBe('SUCCEEDED');
    expect(calls).toBe(3);
    expect(settles.states).toContain('ServiceClusters');

    let attempts = 0;
    let recorded: Json;
    const stuck = await runAsl(
      'deploy-mesh.asl.json',
      input,
      happy({
        planDeployment: () => plan(true, [], true, true),
        ensurePeering: () => {
          attempts += 1;
          throw lambdaError('PeeringNotActive', 'peering "west" was deleted to be made anew, and Consul still has it');
        },
        recordFailure: (i: Json) => {
          recorded = i;
          return { error: i.error.Error, cause: 'still deleting' };
        },
      }),
    );
    expect(stuck.status).toBe('FAILED');
    // The first attempt and four retries (5, 10, 20, 40 s of backoff on AWS), then the stage fails with the error.
    expect(attempts).toBe(5);
    expect(recorded.failedStage).toBe('peering');
    expect(recorded.error.Error).toBe('PeeringNotActive');
    expect(stuck.states).not.toContain('ServiceClusters');
  });

  it('ends the peering wait after its rounds with StageTimedOut, naming the peerings not ACTIVE', async () => {
    let recorded: Json;
    const run = await runAsl(
      'deploy-mesh.asl.json',
      input,
      happy({
        planDeployment: () => plan(true, [], true, true),
        checkPeering: (i: Json) => ({ ...i.previous, round: i.previous.round + 1, ready: false, waitingFor: 'peering "east" ESTABLISHING' }),
        recordFailure: (i: Json) => {
          recorded = i;
          return { error: i.error.Error, cause: 'timed out' };
        },
      }),
    );
    expect(run.status).toBe('FAILED');
    expect(run.states).toContain('PeeringTimedOut');
    expect(recorded.failedStage).toBe('peering');
    expect(recorded.error).toEqual({ Error: 'StageTimedOut', Cause: 'peering stage not ready after 3 rounds: waiting for peering "east" ESTABLISHING' });
  });

  it('skips the ingress stage for a mesh without a gateway', async () => {
    const run = await runAsl('deploy-mesh.asl.json', input, happy({}, false));
    expect(run.status).toBe('SUCCEEDED');
    expect(run.states).toContain('HasIngress?');
    expect(run.states).not.toContain('IngressEnsure');
  });

  it('retries Lambda service errors and throttling with backoff, then goes on', async () => {
    let calls = 0;
    const run = await runAsl(
      'deploy-mesh.asl.json',
      input,
      happy({
        planDeployment: () => {
          calls += 1;
          if (calls === 1) throw lambdaError('Lambda.ServiceException', 'service error');
          if (calls === 2) throw lambdaError('Lambda.TooManyRequestsException', 'throttled');
          return plan();
        },
      }),
    );
    expect(run.status).toBe('SUCCEEDED');
    expect(run.invoked.filter((k) => k === 'planDeployment')).toHaveLength(3);
    expect(run.states.filter((s) => s === 'Plan')).toHaveLength(1);
  });

  it('creates the ACL tokens after the servers are ready and before any config entry or service cluster, retrying while Consul has no leader', async () => {
    let calls = 0;
    const run = await runAsl(
      'deploy-mesh.asl.json',
      input,
      happy({
        ensureAcl: () => {
          calls += 1;
          if (calls === 1) throw lambdaError('NoConsulLeader', 'no leader yet');
          return { written: ['token/orchestrator'], unchanged: [] };
        },
      }),
    );
    expect(run.status).toBe('SUCCEEDED');
    expect(calls).toBe(2);
    const at = (name: string) => run.states.indexOf(name);
    expect(at('ServersCheck')).toBeLessThan(at('EnsureAcl'));
    expect(at('EnsureAcl')).toBeLessThan(at('ApplyConfigEntries'));
    expect(at('EnsureAcl')).toBeLessThan(at('ServiceClusters'));
  });

  it('retries applying config entries while Consul has no leader', async () => {
    let calls = 0;
    const run = await runAsl(
      'deploy-mesh.asl.json',
      input,
      happy({
        applyConfigEntries: () => {
          calls += 1;
          if (calls <= 2) throw lambdaError('NoConsulLeader', 'no leader yet');
          return { written: ['service-defaults/users'] };
        },
      }),
    );
    expect(run.status).toBe('SUCCEEDED');
    expect(calls).toBe(3);
  });

  it.each([
    ['plan', { planDeployment: () => { throw lambdaError('SpecInvalid', 'clusters[0].name: bad'); } }, 'SpecInvalid', ['Failed:plan']],
    ['build', { checkImageBuild: () => { throw lambdaError('BuildFailed', 'image build for consul-server ended FAILED in phase BUILD'); } }, 'BuildFailed', ['Failed:build']],
    ['config', { storeConfig: () => { throw lambdaError('ParameterMaxVersionLimitExceeded', 'too many versions'); } }, 'ParameterMaxVersionLimitExceeded', ['Failed:config']],
    ['servers', { ensureStage: (i: Json) => { if (i.stage === 'servers') throw lambdaError('DeploymentFailed', 'service consul-server in consul-server: failed'); return stage(i.stage, i.cluster?.cluster ?? i.stage); } }, 'DeploymentFailed', ['Failed:servers']],
    ['services', { checkStage: (i: Json) => { if (i.previous.stage === 'services') throw lambdaError('DeploymentFailed', 'service users in cluster-1: tasks stopped'); return { ...i.previous, round: i.previous.round + 1, ready: true }; } }, 'DeploymentFailed', ['Failed:services']],
    ['ingress', { ensureStage: (i: Json) => { if (i.stage === 'ingress') throw lambdaError('ConsulAclDenied', 'denied'); return stage(i.stage, i.cluster?.cluster ?? i.stage); } }, 'ConsulAclDenied', ['Failed:ingress']],
    ['summary', { summarize: () => { throw lambdaError('ConsulUnavailable', 'down'); } }, 'ConsulUnavailable', ['Failed:summary']],
    ['removals', { checkRemovals: () => { throw lambdaError('ConsulAclDenied', 'denied'); } }, 'ConsulAclDenied', ['Failed:removals']],
  ] as Array<[string, Record<string, TaskHandler>, string, string[]]>)(
    'catches a failure in the %s stage, records it and fails with its error',
    async (stageName, overrides, error, states) => {
      const run = await runAsl('deploy-mesh.asl.json', input, happy(overrides, true, [removal]));
      expect(run.status).toBe('FAILED');
      expect(run.error).toBe(error);
      expect(JSON.parse(run.cause!)).toEqual({ stage: stageName, error });
      for (const s of [...states, 'RecordFailure']) expect(run.states).toContain(s);
    },
  );

  it('ends a wait loop after its rounds with StageTimedOut, saying what it waited for', async () => {
    let recorded: Json;
    const run = await runAsl(
      'deploy-mesh.asl.json',
      input,
      happy({
        checkStage: (i: Json) => ({ ...i.previous, round: i.previous.round + 1, ready: false, waitingFor: 'Consul to elect a leader' }),
        recordFailure: (i: Json) => {
          recorded = i.error;
          return { error: i.error.Error, cause: 'timed out' };
        },
      }),
    );
    expect(run.status).toBe('FAILED');
    expect(run.error).toBe('StageTimedOut');
    expect(run.states.filter((s) => s === 'ServersCheck')).toHaveLength(3);
    expect(run.states).toContain('ServersTimedOut');
    expect(recorded).toEqual({ Error: 'StageTimedOut', Cause: 'servers stage not ready after 3 rounds: waiting for Consul to elect a leader' });
  });

  it('ends when recording the failure fails too, without hiding that it failed', async () => {
    const run = await runAsl(
      'deploy-mesh.asl.json',
      input,
      happy({
        storeConfig: () => {
          throw lambdaError('AccessDenied', 'no');
        },
        recordFailure: () => {
          throw lambdaError('AccessDenied', 'no');
        },
      }),
    );
    expect(run.status).toBe('FAILED');
    expect(run.error).toBe('DeploymentFailed');
    expect(run.states).toContain('FailedUnrecorded');
  });
});
