import { renderPlan } from '../../../cli/plan-command';
import type { ChangeSet } from '../../../layers/deploy/change-set';

/** `meshctl plan` prints the change set POST /plans answers: what changes, what is refused, a count of each action. */
describe('renderPlan', () => {
  const set: ChangeSet = {
    mesh: 'shop',
    specHash: 'a'.repeat(64),
    changes: [
      { kind: 'image', id: 'users', action: 'unchanged', reasons: [] },
      { kind: 'secret', id: '/consul-mesh/shop/secrets/acl/dataplane/billing', action: 'create', reasons: ['does not exist: generated once'] },
      { kind: 'parameter', id: '/consul-mesh/shop/config/server.hcl', action: 'update', reasons: ['content changed (the tasks that read it roll)'] },
      { kind: 'service', id: 'consul-server/consul-server', action: 'update', reasons: ['its configuration /consul-mesh/shop/config/server.hcl changed (rolls its tasks)'] },
      { kind: 'config-entry', id: 'service-intentions/users', action: 'update', reasons: ['Sources: [...] → [...]'] },
      { kind: 'service', id: 'cluster-2/notifications', action: 'remove', reasons: ['no longer in the spec: scaled to 0, drained, deleted'] },
    ],
    refused: [],
    noChange: false,
  };

  it('lists every change with its sign, kind and reasons, and counts the unchanged ones', () => {
    const lines = renderPlan(set);
    expect(lines[0]).toBe('Plan for mesh "shop":');
    const body = lines.join('\n');
    expect(body).toMatch(/\+ +secret +\/consul-mesh\/shop\/secrets\/acl\/dataplane\/billing +create/);
    expect(body).toMatch(/~ +service +consul-server\/consul-server +update +its configuration/);
    expect(body).toMatch(/- +service +cluster-2\/notifications +remove/);
    expect(body).toMatch(/~ +config-entry +service-intentions\/users/);
    expect(body).not.toMatch(/image +users/);
    expect(lines[lines.length - 1]).toBe('1 to create, 3 to update, 0 to replace, 1 to remove, 1 unchanged. Nothing was changed.');
  });

  it('says when a deployment would write nothing, and prints what it refuses', () => {
    const lines = renderPlan({ ...set, changes: [set.changes[0]], refused: ['service a/b: launchType: "FARGATE" → "EC2": ...'], noChange: false });
    expect(lines).toContain('  no changes: a deployment would write nothing');
    expect(lines).toContain('refused: service a/b: launchType: "FARGATE" → "EC2": ...');
  });
});
