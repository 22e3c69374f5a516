import { ecsClient, eventsClient, s3Client, sfnClient, ssmClient, ssmClientIn } from '../adapters/aws';
import type { EventsApi } from '../adapters/eventbridge';
import { createConsulAclClient, type ConsulAclApi } from '../adapters/consul-acl';
import { createConsulCall, createConsulClient, type ConsulClientOptions } from '../adapters/consul';
import { createConsulSnapshotClient } from '../adapters/consul-snapshot';
import { consulFromSsm } from '../adapters/consul-token';
import { executionHolders } from '../adapters/execution-status';
import { createChurnDeps, reconcileDeps, type ChurnDeps } from '../churn/deps';
import { loadDeployedSpec } from '../churn/deployed-spec';
import { reconcileMesh } from '../churn/reconcile';
import { createPeeringApi } from '../deploy/peering';
import { ConfigError } from '../errors';
import { RESTORED_EVENT, type RecoveryConsul, type RecoveryDeps } from './restore';
import type { PeeringTickDeps } from './peerings';
import type { SnapshotDeps, SnapshotStore } from './snapshots';

/** The management-token client the restore needs: the ACL calls, the snapshot calls and the config-entry and KV calls. */
function createRecoveryClient(options: ConsulClientOptions): RecoveryConsul {
  const acl: ConsulAclApi = createConsulAclClient(options);
  const { getConfigEntry, putConfigEntry, kvPut, kvDelete } = createConsulClient(options);
  return { ...acl, ...createConsulSnapshotClient(options), getConfigEntry, putConfigEntry, kvPut, kvDelete };
}

/**
 * The wiring of the recovery function, built once per container: the management-token client (its
 * CONSUL_TOKEN_PARAMETER), and for the reconcile that follows a restore the churn wiring with the orchestrator's
 * own token (ORCHESTRATOR_TOKEN_PARAMETER): only the restore itself runs with the management token.
 */
export function createRecoveryDeps(env: NodeJS.ProcessEnv = process.env) {
  const orchestratorToken = env.ORCHESTRATOR_TOKEN_PARAMETER;
  if (!orchestratorToken) throw new ConfigError('environment variable ORCHESTRATOR_TOKEN_PARAMETER is required');
  const churn: ChurnDeps<'ecs' | 'sfn'> = createChurnDeps({ ecs: ecsClient, ssm: ssmClient, sfn: sfnClient }, { ...env, CONSUL_TOKEN_PARAMETER: orchestratorToken });
  const management = consulFromSsm({
    address: churn.config.CONSUL_HTTP_ADDR,
    tokenParameter: env.CONSUL_TOKEN_PARAMETER,
    ssm: churn.clients.ssm,
    create: createRecoveryClient,
  });
  let events: EventsApi | undefined;
  // The stack's snapshot bucket (SNAPSHOT_BUCKET); without one, snapshots are neither taken nor restored.
  let store: SnapshotStore | undefined;
  const snapshots = (): SnapshotStore | undefined => (env.SNAPSHOT_BUCKET ? (store ??= { s3: s3Client(), bucket: env.SNAPSHOT_BUCKET }) : undefined);
  // The peering half of a tick runs with the orchestrator's token (peering:write while the spec has peers), not the
  // management token; a client per peer region, made once each.
  const peering = consulFromSsm({ address: churn.config.CONSUL_HTTP_ADDR, tokenParameter: orchestratorToken, ssm: churn.clients.ssm, create: (options) => createPeeringApi(createConsulCall(options)) });
  const regions = new Map<string, ReturnType<typeof ssmClientIn>>();
  const inRegion = (region: string) => {
    if (!regions.has(region)) regions.set(region, ssmClientIn(region));
    return regions.get(region) as ReturnType<typeof ssmClientIn>;
  };
  const peeringTick: PeeringTickDeps = {
    spec: async () => loadDeployedSpec(await churn.consul(), churn.config.MESH_NAME, { maxAgeMs: 0 }),
    peerings: async () => ({
      peering: await peering(),
      ssm: { home: churn.clients.ssm, inRegion },
      root: churn.config.SSM_PREFIX,
      holders: executionHolders(churn.clients.sfn),
      logger: churn.logger,
      metrics: churn.metrics,
    }),
    logger: churn.logger,
  };
  return {
    churn,
    peeringTick,
    /** The wiring of a scheduled snapshot, or undefined when the stack has no snapshot bucket. */
    async snapshotDeps(): Promise<SnapshotDeps | undefined> {
      const bucket = snapshots();
      if (!bucket) return undefined;
      return { meshName: churn.config.MESH_NAME, consul: await management(), store: bucket, logger: churn.logger, metrics: churn.metrics };
    },
    async recoveryDeps(): Promise<RecoveryDeps> {
      return {
        meshName: churn.config.MESH_NAME,
        ssm: churn.clients.ssm,
        ssmRoot: churn.config.SSM_PREFIX,
        consul: await management(),
        holders: executionHolders(churn.clients.sfn),
        snapshots: snapshots(),
        reconcile: async () => reconcileMesh(await reconcileDeps(churn)),
        publish: async (detail) => {
          events ??= eventsClient();
          const failed = await events.putEvents([{ Source: RESTORED_EVENT.source, DetailType: RESTORED_EVENT.detailType, Detail: JSON.stringify(detail) }]);
          // PutEvents answers 200 with a per-entry ErrorCode when it refuses an entry: say so (the restore itself is done).
          for (const entry of failed) churn.logger.warn('restored event not published', { errorCode: entry.ErrorCode, errorMessage: entry.ErrorMessage });
        },
        logger: churn.logger,
        metrics: churn.metrics,
      };
    },
  };
}
