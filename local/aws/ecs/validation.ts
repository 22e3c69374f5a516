/**
 * Input validation for the ECS operations: ECS answers the first problem of a request alone, in its own words
 * (`InvalidParameterException: Tasks cannot be empty.`), which the schemas of `schemas.ts` carry; a member of the
 * wrong JSON type is a `SerializationException` (`../validation`).
 */
import { inputParser } from '../validation';

/** Parse an operation's input with its schema or throw ECS's `InvalidParameterException` for the first problem. */
export const parseInput = inputParser({ wording: 'service-message', code: 'InvalidParameterException' });
