import type { Repair } from '../../../layers/churn/repair-plan';
import { guardRegistration } from '../../../layers/domain/registration';
import { writeRepairs } from '../../../layers/churn/txn-batches';
import { submitTxn } from '../../../layers/churn/catalog-writer';
import { buildRegistration, buildTxnOps, parseTaskStateChange, type EcsTask } from '../../../layers/domain/registration';
import { loadEvent } from '../../fixtures/events/load';
import { referenceSpec, startCountingConsul, type CountingConsul } from './consul-support';

const spec = referenceSpec();

function usersTask(suffix: string): EcsTask {
  const event = loadEvent('task-running');
  const detail = event.detail as Record<string, unknown>;
  detail.taskArn = String(detail.taskArn).replace(/.{4}$/, suffix);
  return parseTaskStateChange(event).detail;
}

/** A registration of the task, guarded as the reconcile sends it (instance must not exist yet). */
function register(task: EcsTask): Repair {
  const registration = buildRegistration(spec, task);
  const ops = guardRegistration(buildTxnOps(registration), { instanceId: registration.services[0].ID, modifyIndex: 0, tombstoneKey: `consul-mesh/${spec.name}/tombstones/cluster-1/${task.taskArn.slice(-4)}` });
  return { kind: 'registered', subject: task.taskArn, ops };
}

describe('writeRepairs (against the local Consul)', () => {
  let consul: CountingConsul;

  beforeEach(async () => {
    consul = await startCountingConsul();
  });

  afterEach(async () => {
    await consul.close();
  });

  it('writes several tasks in one transaction', async () => {
    const result = await writeRepairs(consul.client, [register(usersTask('aaaa')), register(usersTask('bbbb'))]);

    expect(result).toMatchObject({ writes: 1, conflicts: [] });
    expect(result.committed).toHaveLength(2);
    expect(consul.server.catalog().services).toHaveLength(4);
  });

  it('sets aside the repair whose guard failed and commits the rest of its batch', async () => {
    const [a, b, c] = ['aaaa', 'bbbb', 'cccc'].map(usersTask);
    await writeRepairs(consul.client, [register(b)]);
    const writesBefore = consul.server.writeCount();

    const result = await writeRepairs(consul.client, [register(a), register(b), register(c)]);

    expect(result.writes).toBe(2);
    expect(result.conflicts.map((r) => r.subject)).toEqual([b.taskArn]);
    expect(result.committed.map((r) => r.subject)).toEqual([a.taskArn, c.taskArn]);
    // Both attempts went through Raft (a rolled-back transaction is still a log entry), as `writes` reports.
    expect(consul.server.writeCount() - writesBefore).toBe(2);
    expect(consul.server.catalog().services).toHaveLength(6);
  });

  it('reports an operation Consul refuses for another reason as ConsulTxnRejected', async () => {
    const orphanCheck = { Check: { Verb: 'set' as const, Check: { Node: 'no-such-node', CheckID: 'x', Name: 'x', Status: 'passing' as const, Output: '', ServiceID: '', ServiceName: '' } } };

    await expect(submitTxn(consul.client, [orphanCheck])).rejects.toMatchObject({ name: 'ConsulTxnRejected', failures: [expect.objectContaining({ OpIndex: 0 })] });
  });
});
