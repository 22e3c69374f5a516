import { initialProgress, reduceHistory } from '../../../layers/executions/progress';
import { asDeploymentSummary, parseDeploymentFailure } from '../../../layers/executions/outcome';
import { renderFailure, renderSummary } from '../../../cli/summary';
import { renderProgressFrame } from '../../../cli/progress-text';
import { scriptedDeployRun, shopSummary } from './support/history';

describe('renderSummary', () => {
  it('prints the leader and one row per task with its IP, ECS health and Consul registration', () => {
    expect(renderSummary(shopSummary())).toEqual([
      'Deployed mesh "shop" (d-20250304050607-k3x9q0)',
      'Consul leader: 10.0.1.10:8300 (3 servers: 10.0.1.10:8300, 10.0.1.11:8300, 10.0.1.12:8300)',
      '',
      'CLUSTER        SERVICE        ROLE     ACTION  RUNNING/DESIRED  TASK          IP         HEALTH   CONSUL',
      'consul-server  consul-server  server   create  3/3              0a1b2c3d4e5f  10.0.1.10  HEALTHY  registered, passing',
      '                                                                1a1b2c3d4e5f  10.0.1.11  HEALTHY  registered, passing',
      '                                                                2a1b2c3d4e5f  10.0.1.12  HEALTHY  registered, passing',
      'cluster-1      users          service  create  2/2              3a1b2c3d4e5f  10.0.2.20  HEALTHY  registered, passing',
      '                                                                4a1b2c3d4e5f  10.0.2.21  UNKNOWN  registered, critical',
      '',
      'IMAGE          URI                                                                                           BUILT',
      'consul-server  hashicorp/consul:1.20.1                                                                       reused',
      'users          000000000000.dkr.ecr.us-east-1.amazonaws.com/shop/users:ctx-0123456789abcdef0123456789abcdef  built',
    ]);
  });

  it('says when nothing changed and shows services without tasks', () => {
    const summary = shopSummary();
    summary.noChange = true;
    summary.images = [];
    summary.clusters = [{ cluster: 'cluster-9', role: 'service', services: [{ name: 'idle', action: 'unchanged', desiredCount: 0, runningCount: 0, taskDefinitionArn: 'td', tasks: [] }] }];
    const lines = renderSummary(summary);
    expect(lines[0]).toBe('Deployed mesh "shop" (d-20250304050607-k3x9q0): no changes, everything already matched the spec');
    expect(lines.slice(3)).toEqual([
      'CLUSTER    SERVICE  ROLE     ACTION     RUNNING/DESIRED  TASK  IP  HEALTH  CONSUL',
      'cluster-9  idle     service  unchanged  0/0              -     -   -       -',
    ]);
  });

  it('names one server as "1 server"', () => {
    const summary = { ...shopSummary(), peers: ['10.0.1.10:8300'] };
    expect(renderSummary(summary)[1]).toBe('Consul leader: 10.0.1.10:8300 (1 server: 10.0.1.10:8300)');
  });

  it('recognises a DeploymentSummary output and nothing else', () => {
    expect(asDeploymentSummary(shopSummary())).toBeDefined();
    expect(asDeploymentSummary({ mesh: 'shop' })).toBeUndefined();
    expect(asDeploymentSummary('done')).toBeUndefined();
  });
});

describe('renderFailure', () => {
  const description = { status: 'FAILED' as const, deploymentId: 'd-20250304050607-k3x9q0', name: 'shop-a1b2c3d4e5f6-20250304050607-k3x9q0', mesh: 'shop' };

  it('prints stage, error, cause, service and detail from the recorded DeploymentFailure', () => {
    const run = scriptedDeployRun({ failAt: 'servers' });
    expect(renderFailure({ ...description, error: run.error, cause: run.cause })).toEqual([
      'Deployment d-20250304050607-k3x9q0 of mesh "shop" FAILED in stage servers',
      '  error:   DeploymentFailed',
      '  cause:   consul-server: tasks stopped: Essential container in task exited',
      '  service: consul-server',
      '  detail:  Essential container in task exited (exit code 1)',
      '  next:    fix the cause above, then deploy the spec again (meshctl status d-20250304050607-k3x9q0 shows every stage)',
    ]);
  });

  it('falls back to the raw cause and the stage error from the history when the failure was not recorded', () => {
    const run = scriptedDeployRun({ failAt: 'servers' });
    const progress = reduceHistory(initialProgress(), run.events);
    const cause = 'the deployment failed and its failure could not be recorded; see the execution history';
    expect(renderFailure({ ...description, error: 'DeploymentFailed', cause }, progress)).toEqual([
      'Deployment d-20250304050607-k3x9q0 of mesh "shop" FAILED in stage servers',
      '  error:   DeploymentFailed',
      `  cause:   ${cause}`,
      '  stage error: DeploymentFailed: consul-server: tasks stopped: Essential container in task exited',
      '  next:    fix the cause above, then deploy the spec again (meshctl status d-20250304050607-k3x9q0 shows every stage)',
    ]);
  });

  it('shows a cancelled deployment as cancelled, not failed, and how to go on', () => {
    const run = scriptedDeployRun({ cancelAt: 'servers' });
    const progress = reduceHistory(initialProgress(), run.events);
    expect(progress.stages.find((s) => s.name === 'servers')?.state).toBe('cancelled');
    expect(renderFailure({ ...description, status: 'ABORTED', error: run.error, cause: run.cause }, progress)).toEqual([
      'Deployment d-20250304050607-k3x9q0 of mesh "shop" ABORTED in stage servers',
      '  error:   Cancelled',
      '  cause:   cancelled through the HTTP API',
      '  next:    it was cancelled; deploy the spec again to bring the mesh to it (meshctl status d-20250304050607-k3x9q0 shows how far it went)',
    ]);
    expect(renderProgressFrame('', progress).find((l) => l.includes(' servers '))).toBe('  ■ servers       cancelled');
  });

  it('names a failed build by the stage the progress shows (images), not the state machine\'s name for it', () => {
    const cause = JSON.stringify({ stage: 'build', error: 'BuildFailed', message: 'users: phase BUILD failed' });
    expect(renderFailure({ ...description, error: 'BuildFailed', cause })[0]).toBe('Deployment d-20250304050607-k3x9q0 of mesh "shop" FAILED in stage images');
  });

  it('names an unknown stage and missing causes plainly (a timeout before any stage)', () => {
    expect(renderFailure({ ...description, status: 'TIMED_OUT' })).toEqual([
      'Deployment d-20250304050607-k3x9q0 of mesh "shop" TIMED_OUT in stage unknown',
      '  error:   (none given)',
      '  cause:   (none given)',
      '  next:    fix the cause above, then deploy the spec again (meshctl status d-20250304050607-k3x9q0 shows every stage)',
    ]);
  });

  it('parses only well-formed failure JSON', () => {
    expect(parseDeploymentFailure('{"stage":"build","error":"BuildFailed","message":"phase BUILD failed"}')).toEqual({ stage: 'build', error: 'BuildFailed', message: 'phase BUILD failed' });
    expect(parseDeploymentFailure('{"stage":"build"}')).toBeUndefined();
    expect(parseDeploymentFailure('not json')).toBeUndefined();
    expect(parseDeploymentFailure(undefined)).toBeUndefined();
  });
});
