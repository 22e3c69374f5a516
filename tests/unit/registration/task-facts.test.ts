import { checkOutput, checkStatus, findMember, stopDetail, taskAddress, taskPhase } from '../../../layers/domain/registration';
import { referenceSpec } from '../ecs/support';
import { describedTask, taskOf } from './support';

describe('task facts', () => {
  it('finds the address on a container network interface, else on the ENI attachment (privateIPv4Address)', () => {
    expect(taskAddress(taskOf('task-running'))).toBe('10.0.1.139');
    expect(describedTask().containers[0].networkInterfaces[0].privateIpv4Address).toBeUndefined();
    expect(taskAddress(describedTask())).toBe('10.0.1.139');
    expect(taskAddress(taskOf('task-running', (d) => {
      d.containers = [];
      d.attachments = [];
    }))).toBeUndefined();
  });

  it.each([
    ['PROVISIONING', 'RUNNING', 'starting'],
    ['PENDING', 'RUNNING', 'starting'],
    ['ACTIVATING', 'RUNNING', 'starting'],
    ['RUNNING', 'RUNNING', 'running'],
    ['RUNNING', 'STOPPED', 'stopping'],
    ['DEACTIVATING', 'STOPPED', 'stopping'],
    ['STOPPING', 'STOPPED', 'stopping'],
    ['DEPROVISIONING', 'STOPPED', 'stopping'],
    ['STOPPED', 'STOPPED', 'stopping'],
    ['PENDING', 'STOPPED', 'stopping'],
  ])('a task %s with desired status %s is %s', (lastStatus, desiredStatus, phase) => {
    const task = taskOf('task-running', (d) => {
      d.lastStatus = lastStatus;
      d.desiredStatus = desiredStatus;
      (d.containers as Array<Record<string, unknown>>)[1].lastStatus = 'PENDING';
    });
    expect(taskPhase(task)).toBe(phase);
  });

  it('counts a PENDING task whose dataplane already runs as running (the proxy needs its registration to become ready)', () => {
    expect(taskPhase(taskOf('task-pending-proxy-running'))).toBe('running');
  });

  it('maps ECS health onto the check: only RUNNING and HEALTHY passes', () => {
    expect(checkStatus(taskOf('task-running'))).toBe('passing');
    expect(checkStatus(taskOf('task-unhealthy'))).toBe('critical');
    expect(checkStatus(taskOf('task-pending-proxy-running'))).toBe('critical');
    expect(checkStatus(taskOf('task-running', (d) => void (d.healthStatus = 'UNKNOWN')))).toBe('critical');
    expect(checkStatus(taskOf('task-running', (d) => void delete d.healthStatus))).toBe('critical');
  });

  it('explains the status in the check output and the stop in a detail', () => {
    expect(checkOutput(taskOf('task-running'))).toBe('ECS task RUNNING (desired RUNNING), health HEALTHY');
    expect(checkOutput(taskOf('task-unhealthy'))).toBe('ECS task RUNNING (desired RUNNING), health UNHEALTHY; unhealthy containers: users');
    expect(stopDetail(taskOf('task-stopped'))).toBe('EssentialContainerExited: Essential container in task exited');
    expect(stopDetail(taskOf('task-running'))).toBeUndefined();
  });
});

describe('findMember', () => {
  const spec = referenceSpec();

  it('places tasks by cluster and ECS service group', () => {
    expect(findMember(spec, taskOf('task-running'))).toMatchObject({ role: 'service', cluster: 'cluster-1', taskId: '4f9a1c2b8e7d4a6f9b0c1d2e3f4a5b6c', service: { name: 'users' } });
    expect(findMember(spec, taskOf('task-server-running'))).toEqual({ role: 'server', cluster: 'consul-server', taskId: '0a1b2c3d4e5f60718293a4b5c6d7e8f9' });
    expect(findMember(spec, taskOf('task-ingress-running'))).toMatchObject({ role: 'ingress-gateway', cluster: 'ingress', ingress: { name: 'ingress-gateway' } });
  });

  it('leaves out tasks of unknown services, of other clusters, and a service in the wrong cluster', () => {
    expect(findMember(spec, taskOf('task-outside-mesh'))).toBeUndefined();
    expect(findMember(spec, taskOf('task-running', (d) => void (d.clusterArn = 'arn:aws:ecs:us-east-1:111122223333:cluster/batch')))).toBeUndefined();
    expect(findMember(spec, taskOf('task-running', (d) => void (d.clusterArn = 'arn:aws:ecs:us-east-1:111122223333:cluster/cluster-2')))).toBeUndefined();
    expect(findMember(spec, taskOf('task-server-running', (d) => void (d.group = 'service:backup')))).toBeUndefined();
  });

  it('places a RunTask task (group family:...) by its task definition family', () => {
    const runTask = taskOf('task-running', (d) => void (d.group = 'family:reference-mesh-users'));
    expect(findMember(spec, runTask)).toMatchObject({ role: 'service', service: { name: 'users' } });
    const other = taskOf('task-running', (d) => {
      d.group = 'family:migrations';
      d.taskDefinitionArn = 'arn:aws:ecs:us-east-1:111122223333:task-definition/migrations:1';
    });
    expect(findMember(spec, other)).toBeUndefined();
  });
});
