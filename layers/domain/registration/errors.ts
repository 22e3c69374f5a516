/**
 * The registration model's errors live with the orchestrator's other named errors (layers/errors.ts), so the
 * handlers, Step Functions `Catch` and the API mapper see one set; re-exported here for the model's own modules.
 */
export { InvalidEventError, TaskNotRegistrableError } from '../../errors';
