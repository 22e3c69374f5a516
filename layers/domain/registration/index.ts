/**
 * The agentless registration model (DESIGN.md section 6), pure: parse ECS task states, decide what they do to the
 * catalog, and build the Consul transactions that do it. The event handler and the reconcile drive it.
 */
export { InvalidEventError, TaskNotRegistrableError } from './errors';
export { EcsTaskSchema, EcsTimestampSchema, parseEcsTask, type EcsContainer, type EcsTask } from './task-schema';
export { parseTaskStateChange, TaskStateChangeEventSchema, type TaskStateChangeEvent } from './event-schema';
export { checkOutput, checkStatus, stopDetail, taskAddress, taskPhase, type CheckStatus, type TaskPhase } from './task-facts';
export { findMember, meshClusterNames, type GatewayMember, type MeshMember, type RegistrableMember, type ServerMember, type ServiceMember } from './membership';
export { deployedSpecKey, healthCheckId, kvPrefix, META, NODE_META, SYNTHETIC_NODE_ADDRESS, tombstoneKey } from './keys';
export {
  buildRegistration,
  type CatalogCheck,
  type CatalogNode,
  type CatalogService,
  type ConnectProxyConfig,
  type ProxyUpstream,
  type RegistrationOptions,
  type ServiceRegistration,
  type TaskRegistration,
} from './registration';
export {
  buildDeregisterTxnOps,
  buildTxnOps,
  deleteKeyIfUnchanged,
  guardDeregistration,
  guardRegistration,
  MAX_TXN_OPS,
  type RegistrationGuard,
  type TxnOp,
} from './txn';
export {
  buildTombstone,
  isTombstoneExpired,
  parseTombstone,
  resolveStored,
  storedFromCatalog,
  TOMBSTONE_TTL_SECONDS,
  TombstoneValueSchema,
  type CatalogInstance,
  type StoredRegistration,
  type Tombstone,
  type TombstoneValue,
} from './stored';
export {
  decide,
  decideBeforeRead,
  registrationIds,
  registrationIdsOf,
  type DecideOptions,
  type Decision,
  type EarlyDecision,
  type DeregisterReason,
  type IgnoreReason,
  type RegistrationChange,
  type RegistrationIds,
} from './decide';
