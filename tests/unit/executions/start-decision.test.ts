import type { ExecutionStatus } from '@aws-sdk/client-sfn';
import type { DeploymentListing, StartRequest } from '../../../layers/executions/backend';
import { executionName } from '../../../layers/executions/execution-name';
import { StepFunctionsBackend, type DeploymentsSfn } from '../../../layers/executions/sfn-backend';
import { decideStart, describeRefusal } from '../../../layers/executions/start-decision';
import { ConcurrentOperationError } from '../../../layers/errors';

const SM = 'arn:aws:states:us-east-1:000000000000:stateMachine:consul-mesh-local-deploy-mesh';
const arnOf = (name: string) => `arn:aws:states:us-east-1:000000000000:execution:consul-mesh-local-deploy-mesh:${name}`;

function listing(name: string, hash: string, deploymentId: string): DeploymentListing {
  return { id: arnOf(name), name, status: 'RUNNING', specHash12: hash, deploymentId, startedAt: new Date('2025-03-04T05:00:00Z') };
}

describe('decideStart (one deployment per mesh)', () => {
  it('starts when nothing of the mesh runs', () => {
    expect(decideStart([], 'a1b2c3d4e5f6')).toEqual({ kind: 'start' });
  });

  it('attaches to a running deployment of the very same spec', () => {
    const same = listing('shop-a1b2c3d4e5f6-20250304050000-aaaaaa', 'a1b2c3d4e5f6', 'd-20250304050000-aaaaaa');
    const other = listing('shop-ffffffffffff-20250304040000-bbbbbb', 'ffffffffffff', 'd-20250304040000-bbbbbb');
    expect(decideStart([other, same], 'a1b2c3d4e5f6')).toEqual({ kind: 'attach', running: same });
  });

  it('refuses when another spec of the mesh is deploying, naming it and how to follow or cancel it', () => {
    const other = listing('shop-ffffffffffff-20250304040000-bbbbbb', 'ffffffffffff', 'd-20250304040000-bbbbbb');
    expect(decideStart([other], 'a1b2c3d4e5f6')).toEqual({ kind: 'refuse', running: [other] });
    expect(describeRefusal('shop', [other])).toBe(
      'another deployment of mesh "shop" is running with a different spec: d-20250304040000-bbbbbb ' +
        `(${arnOf('shop-ffffffffffff-20250304040000-bbbbbb')}, started 2025-03-04T05:00:00.000Z); ` +
        'wait for it to finish (meshctl status d-20250304040000-bbbbbb --watch) and deploy again, or cancel it (meshctl cancel d-20250304040000-bbbbbb)',
    );
  });
});

/** A stateful in-memory Step Functions: executions by name, ListExecutions newest first with a status filter. */
class FakeStepFunctions implements Omit<DeploymentsSfn, 'stopExecution' | 'historyPages'> {
  readonly executions: Array<{ name: string; status: ExecutionStatus; input: string; startDate: Date }> = [];
  readonly started: string[] = [];

  readonly listExecutionsPage: DeploymentsSfn['listExecutionsPage'] = async ({ statusFilter }) => ({
    executions: [...this.executions]
      .reverse()
      .filter((e) => !statusFilter || e.status === statusFilter)
      .map((e) => ({ executionArn: arnOf(e.name), stateMachineArn: SM, name: e.name, status: e.status, startDate: e.startDate })),
  });

  readonly describeExecution: DeploymentsSfn['describeExecution'] = async (executionArn) => {
    const e = this.executions.find((x) => arnOf(x.name) === executionArn);
    if (!e) throw Object.assign(new Error('no such execution'), { name: 'ExecutionDoesNotExist' });
    return { executionArn: arnOf(e.name), stateMachineArn: SM, name: e.name, status: e.status, input: e.input, startDate: e.startDate };
  };

  readonly startExecution: DeploymentsSfn['startExecution'] = async ({ name, input }) => {
    this.executions.push({ name, status: 'RUNNING', input, startDate: new Date() });
    this.started.push(name);
    return { executionArn: arnOf(name), startDate: new Date() };
  };

  run(mesh: string, hash: string, deploymentId: string, status: ExecutionStatus = 'RUNNING'): string {
    const name = executionName(mesh, hash, deploymentId);
    this.executions.push({ name, status, input: JSON.stringify({ deploymentId, spec: { name: mesh } }), startDate: new Date() });
    return name;
  }
}

function request(mesh: string, hash: string, deploymentId = 'd-20250304060000-cccccc'): StartRequest {
  return { mesh, deploymentId, specHash12: hash, input: { deploymentId, spec: { name: mesh }, settings: { pollSeconds: 5, maxRounds: 120 } } };
}

describe('StepFunctionsBackend.start', () => {
  const backendOf = (sfn: FakeStepFunctions) => new StepFunctionsBackend({ sfn: sfn as FakeStepFunctions & DeploymentsSfn, stateMachineArn: SM });

  it('starts an execution named after the mesh, spec hash and deployment id, with the input as JSON', async () => {
    const sfn = new FakeStepFunctions();
    sfn.run('shop', 'ffffffffffff', 'd-20250304040000-bbbbbb', 'SUCCEEDED');
    sfn.run('shop-eu', 'ffffffffffff', 'd-20250304040000-dddddd');
    const started = await backendOf(sfn).start(request('shop', 'a1b2c3d4e5f6'));
    expect(started).toEqual({ id: arnOf('shop-a1b2c3d4e5f6-20250304060000-cccccc'), name: 'shop-a1b2c3d4e5f6-20250304060000-cccccc', deploymentId: 'd-20250304060000-cccccc', attached: false });
    expect(JSON.parse(sfn.executions[2].input)).toEqual(request('shop', 'a1b2c3d4e5f6').input);
  });

  it('refuses with ConcurrentOperation while another spec of the mesh runs, and starts nothing', async () => {
    const sfn = new FakeStepFunctions();
    sfn.run('shop', 'ffffffffffff', 'd-20250304040000-bbbbbb');
    await expect(backendOf(sfn).start(request('shop', 'a1b2c3d4e5f6'))).rejects.toThrow(ConcurrentOperationError);
    await expect(backendOf(sfn).start(request('shop', 'a1b2c3d4e5f6'))).rejects.toThrow(/another deployment of mesh "shop" is running.*d-20250304040000-bbbbbb/);
    expect(sfn.started).toEqual([]);
  });

  it('attaches to the running execution of the same spec instead of starting a second one', async () => {
    const sfn = new FakeStepFunctions();
    const name = sfn.run('shop', 'a1b2c3d4e5f6', 'd-20250304040000-bbbbbb');
    const started = await backendOf(sfn).start(request('shop', 'a1b2c3d4e5f6'));
    expect(started).toEqual({ id: arnOf(name), name, deploymentId: 'd-20250304040000-bbbbbb', attached: true });
    expect(sfn.started).toEqual([]);
  });

  it('confirms the mesh from the input when a long mesh name was cut to fit the execution name', async () => {
    const long = `m${'a'.repeat(50)}`;
    const sibling = `m${'a'.repeat(50)}-x`; // same first 45 characters
    const sfn = new FakeStepFunctions();
    sfn.run(sibling, 'ffffffffffff', 'd-20250304040000-bbbbbb');
    const started = await backendOf(sfn).start(request(long, 'a1b2c3d4e5f6'));
    expect(started.attached).toBe(false);
    expect(sfn.started).toHaveLength(1);
    await expect(backendOf(sfn).start(request(long, '0123456789ab', 'd-20250304070000-eeeeee'))).rejects.toThrow(ConcurrentOperationError);
  });
});
