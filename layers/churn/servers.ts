import { taskAddress, type EcsTask } from '../domain/registration';
import { ConsulAclDeniedError, ConsulUnavailableError } from '../errors';
import type { ChurnLogger, TaskEventConsul } from './ports';

export interface ServerChange {
  phase: 'running' | 'stopping';
  taskArn: string;
  address?: string;
  /** Consul's Raft peers (`ip:8300`) when they could be read. */
  peers?: string[];
  /** Whether the task's address is among the peers: a running server should join, a stopping one should leave. */
  inPeers?: boolean;
}

/**
 * A Consul server task started or is stopping. Nothing is registered for it (a server is an agent itself), and
 * nothing the orchestrator wrote names server addresses: servers find each other by cloud auto-join (tag-based,
 * retry-join.ts), dataplanes and Lambdas reach them by a DNS name with the server watch stream, and Consul's
 * autopilot (`cleanup_dead_servers`, on by default) removes a dead server from the Raft peers once a replacement
 * has joined. So the change is only recorded: the task's address against the current peers, which shows a
 * replacement that never joined.
 *
 * Reading the peers is best-effort: while servers churn, a quorum may be briefly missing and nothing depends on
 * the answer, so `ConsulUnavailable` and `ConsulAclDenied` are handled by logging a warning (the event must not
 * be retried for a log line). Anything else propagates.
 */
export async function recordServerChange(consul: Pick<TaskEventConsul, 'peers'>, task: EcsTask, phase: ServerChange['phase'], logger: ChurnLogger): Promise<ServerChange> {
  const change: ServerChange = { phase, taskArn: task.taskArn, address: taskAddress(task) };
  try {
    change.peers = await consul.peers();
    if (change.address) change.inPeers = change.peers.some((peer) => peer.split(':')[0] === change.address);
  } catch (error) {
    if (!(error instanceof ConsulUnavailableError || error instanceof ConsulAclDeniedError)) throw error;
    logger.warn('consul server task changed; peers unreadable', { ...change, error });
    return change;
  }
  logger.info('consul server task changed', { ...change });
  return change;
}
