/**
 * Parameter labels ("Working with parameter labels" in the Systems Manager user guide): at most 10 per
 * version, one version per label (attaching moves it), letters/digits/`.`/`-`/`_`, not starting with a digit,
 * "aws" or "ssm". Labels breaking the naming rules are not attached but returned in `InvalidLabels`.
 */
import { AwsServiceError } from '../protocol';
import type { ParameterVersion } from './store';

export const MAX_LABELS_PER_VERSION = 10;

export function isValidLabel(label: string): boolean {
  return /^[a-zA-Z0-9_.-]{1,100}$/.test(label) && !/^[0-9]/.test(label) && !/^(aws|ssm)/i.test(label);
}

/**
 * Attach `labels` to `target`, moving any of them away from the other `versions`.
 * Returns the labels rejected by the naming rules; throws `ParameterVersionLabelLimitExceeded` (attaching
 * nothing) when the version would carry more than 10 labels.
 */
export function attachLabels(versions: ParameterVersion[], target: ParameterVersion, labels: string[]): string[] {
  const invalid = labels.filter((label) => !isValidLabel(label));
  const added = [...new Set(labels.filter(isValidLabel))].filter((label) => !target.labels.includes(label));
  if (target.labels.length + added.length > MAX_LABELS_PER_VERSION) {
    throw new AwsServiceError(
      'ParameterVersionLabelLimitExceeded',
      `A parameter version can have maximum ${MAX_LABELS_PER_VERSION} labels. ` +
        'Move one or more labels to another version and try again.',
    );
  }
  for (const other of versions) {
    if (other !== target) other.labels = other.labels.filter((label) => !added.includes(label));
  }
  target.labels = [...target.labels, ...added];
  return invalid;
}

/** Detach `labels` from `target`; returns `{ removed, invalid }` as UnlabelParameterVersion reports them. */
export function detachLabels(target: ParameterVersion, labels: string[]): { removed: string[]; invalid: string[] } {
  const removed = labels.filter((label) => target.labels.includes(label));
  const invalid = labels.filter((label) => !target.labels.includes(label));
  target.labels = target.labels.filter((label) => !removed.includes(label));
  return { removed, invalid };
}
