import { clusterNameFromArn, parseTaskDefinitionRef, serviceNameFromGroup, taskIdFromArn } from '../../../layers/domain/naming';

describe('reading ECS identifiers', () => {
  it('parses task definition references', () => {
    expect(parseTaskDefinitionRef('arn:aws:ecs:us-east-1:1:task-definition/fam:12')).toEqual({ family: 'fam', revision: 12 });
    expect(parseTaskDefinitionRef('fam:3')).toEqual({ family: 'fam', revision: 3 });
    expect(parseTaskDefinitionRef('fam')).toEqual({ family: 'fam' });
    expect(parseTaskDefinitionRef(undefined)).toEqual({ family: '' });
  });

  it('takes the task id and the cluster name from their ARNs', () => {
    expect(taskIdFromArn('arn:aws:ecs:us-east-1:111122223333:task/cluster-1/4f9a1c2b')).toBe('4f9a1c2b');
    expect(clusterNameFromArn('arn:aws:ecs:us-east-1:111122223333:cluster/cluster-1')).toBe('cluster-1');
    expect(clusterNameFromArn('cluster-1')).toBe('cluster-1');
  });

  it('reads the ECS service from a task group the service scheduler set, and none from a RunTask group', () => {
    expect(serviceNameFromGroup('service:users')).toBe('users');
    expect(serviceNameFromGroup('family:reference-mesh-users')).toBeUndefined();
    expect(serviceNameFromGroup(undefined)).toBeUndefined();
  });
});
