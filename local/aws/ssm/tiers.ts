/**
 * Parameter tiers and their value size limits ("Managing parameter tiers" in the Systems Manager user guide):
 * Standard values hold up to 4 KB, Advanced up to 8 KB; Intelligent-Tiering picks Standard when the value fits
 * and Advanced otherwise; an Advanced parameter can never go back to Standard.
 */
import { validationError } from './validation';

export type RequestedTier = 'Standard' | 'Advanced' | 'Intelligent-Tiering';
export type StoredTier = 'Standard' | 'Advanced';

export const STANDARD_MAX_BYTES = 4096;
export const ADVANCED_MAX_BYTES = 8192;

/**
 * The tier a new version is stored in, or the `ValidationException` AWS answers.
 * Sizes are counted in UTF-8 bytes (the quota is "4 KB" / "8 KB").
 */
export function resolveTier(requested: RequestedTier | undefined, value: string, current?: StoredTier): StoredTier {
  const size = Buffer.byteLength(value, 'utf8');
  if (current === 'Advanced' && requested === 'Standard') {
    throw validationError(
      "This parameter uses the advanced-parameter tier. You can't downgrade a parameter from the " +
        'advanced-parameter tier to the standard-parameter tier. If necessary, you can delete the advanced ' +
        'parameter and recreate it as a standard parameter.',
    );
  }
  let tier: StoredTier;
  if (requested === 'Advanced' || current === 'Advanced') tier = 'Advanced';
  else if (requested === 'Intelligent-Tiering') tier = size > STANDARD_MAX_BYTES ? 'Advanced' : 'Standard';
  else tier = 'Standard';

  if (tier === 'Standard' && size > STANDARD_MAX_BYTES) {
    throw validationError(
      `Standard tier parameters support a maximum parameter value of ${STANDARD_MAX_BYTES} characters. ` +
        'To create a larger parameter value, upgrade the parameter to use the advanced-parameter tier.',
    );
  }
  if (size > ADVANCED_MAX_BYTES) {
    throw validationError(
      `Advanced tier parameters support a maximum parameter value of ${ADVANCED_MAX_BYTES} characters.`,
    );
  }
  return tier;
}
