/** Persistence of the local cloud's state across restarts (`--data-dir`); see `local-state.ts` for what is kept. */
export { writeFileAtomic, isTemporaryFile, type AtomicWriteOptions } from './atomic-write';
export { PersistedStateError } from './errors';
export { encodeState, decodeState, type StateFormat } from './format';
export { loadSavedState, SavedState, type LoadOptions } from './saved-state';
export { StatePersister, persisted, type PersistedService, type PersisterOptions } from './persister';
export { LOCAL_STATE_FORMATS, persistedServices, restoreService, type LocalServices } from './local-state';
export { CODEBUILD_STATE, CONSUL_STATE, ECR_STATE, ECS_STATE, EVENTS_STATE, S3_STATE, SSM_STATE, STEP_FUNCTIONS_STATE } from './local-state';
export { parseDataDirOptions, UsageError, type DataDirOptions } from './options';
