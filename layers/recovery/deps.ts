import { ecsClient, eventsClient, sfnClient, ssmClient } from '../adapters/aws';
import type { EventsApi } from '../adapters/eventbridge';
import { createConsulAclClient, type ConsulAclApi } from '../adapters/consul-acl';
import { createConsulClient, type ConsulClientOptions } from '../adapters/consul';
import { consulFromSsm } from '../adapters/consul-token';
import { executionHolders } from '../adapters/execution-status';
import { createChurnDeps, reconcileDeps, type ChurnDeps } from '../churn/deps';
import { reconcileMesh } from '../churn/reconcile';
import { ConfigError } from '../errors';
import { RESTORED_EVENT, type RecoveryConsul, type RecoveryDeps } from './restore';

/** The management-token client the restore needs: the ACL calls and the config-entry and KV calls. */
function createRecoveryClient(options: ConsulClientOptions): RecoveryConsul {
  const acl: ConsulAclApi = createConsulAclClient(options);
  const { getConfigEntry, putConfigEntry, kvPut } = createConsulClient(options);
  return { ...acl, getConfigEntry, putConfigEntry, kvPut };
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
  return {
    churn,
    async recoveryDeps(): Promise<RecoveryDeps> {
      return {
        meshName: churn.config.MESH_NAME,
        ssm: churn.clients.ssm,
        ssmRoot: churn.config.SSM_PREFIX,
        consul: await management(),
        holders: executionHolders(churn.clients.sfn),
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
