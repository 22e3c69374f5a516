/**
 * The parameters of one region. Each parameter keeps its versions oldest first; version numbers only grow.
 */
import { AwsServiceError } from '../protocol';
import { canonicalName, type Selector } from './names';
import type { StoredTier } from './tiers';

export type ParameterType = 'String' | 'StringList' | 'SecureString';

/** "Parameter Store retains the 100 most recently created versions of a parameter." */
export const MAX_VERSIONS = 100;

export interface ParameterVersion {
  readonly version: number;
  readonly type: ParameterType;
  /** The value; for SecureString the ciphertext (see `secure-string.ts`). */
  readonly value: string;
  readonly keyId?: string;
  readonly description?: string;
  readonly allowedPattern?: string;
  readonly tier: StoredTier;
  readonly dataType: string;
  /** Epoch milliseconds. */
  readonly lastModifiedDate: number;
  labels: string[];
}

export interface StoredParameter {
  readonly name: string;
  /** Oldest first. */
  readonly versions: ParameterVersion[];
  readonly tags: Map<string, string>;
}

/** The version a selector picks, with the selector text AWS echoes back as `Selector`. */
export interface ResolvedParameter {
  readonly parameter: StoredParameter;
  readonly version: ParameterVersion;
  readonly selector?: string;
}

/** A parameter as saved by the local cloud's persistence: plain data, tags as `[key, value]` pairs. */
export interface ParameterSnapshot {
  readonly name: string;
  /** Oldest first, labels included. */
  readonly versions: ParameterVersion[];
  readonly tags: [string, string][];
}

export function latestVersion(parameter: StoredParameter): ParameterVersion {
  return parameter.versions[parameter.versions.length - 1];
}

export class ParameterStore {
  private readonly parameters = new Map<string, StoredParameter>();

  get(name: string): StoredParameter | undefined {
    return this.parameters.get(name);
  }

  /** The parameter or `ParameterNotFound`. */
  require(name: string): StoredParameter {
    const parameter = this.parameters.get(name);
    if (!parameter) throw new AwsServiceError('ParameterNotFound', `Parameter ${name} not found.`);
    return parameter;
  }

  /** All parameters, ordered by name so listings and pages are stable. */
  list(): StoredParameter[] {
    return [...this.parameters.values()].sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
  }

  create(name: string, tags: Map<string, string>): StoredParameter {
    const parameter: StoredParameter = { name, versions: [], tags };
    this.parameters.set(name, parameter);
    return parameter;
  }

  /**
   * Add the next version. At 100 versions the oldest is dropped, unless it carries a label: then AWS refuses
   * the new version with `ParameterMaxVersionLimitExceeded` (labels protect versions in use).
   */
  appendVersion(parameter: StoredParameter, version: Omit<ParameterVersion, 'version' | 'labels'>): ParameterVersion {
    if (parameter.versions.length >= MAX_VERSIONS) {
      const oldest = parameter.versions[0];
      if (oldest.labels.length > 0) {
        throw new AwsServiceError(
          'ParameterMaxVersionLimitExceeded',
          `You attempted to create a new version of ${parameter.name} by calling the PutParameter API with the ` +
            `overwrite flag. Version ${oldest.version}, the oldest version, can't be deleted because it has a ` +
            'label associated with it. Move the label to another version of the parameter, and try again.',
        );
      }
      parameter.versions.shift();
    }
    const previous = parameter.versions.length > 0 ? latestVersion(parameter).version : 0;
    const stored: ParameterVersion = { ...version, version: previous + 1, labels: [] };
    parameter.versions.push(stored);
    return stored;
  }

  delete(name: string): boolean {
    return this.parameters.delete(name);
  }

  /**
   * The version a `name`, `name:version` or `name:label` reference picks: `ParameterNotFound` for an unknown
   * name or label, `ParameterVersionNotFound` for a version that does not exist (any more).
   */
  resolve(name: string, selector?: Selector): ResolvedParameter {
    const parameter = this.require(name);
    if (!selector) return { parameter, version: latestVersion(parameter) };
    if (selector.kind === 'version') {
      const version = parameter.versions.find((v) => v.version === selector.version);
      if (!version) {
        throw new AwsServiceError(
          'ParameterVersionNotFound',
          `Systems Manager could not find version ${selector.version} of ${name}. Verify the version and try again.`,
        );
      }
      return { parameter, version, selector: `:${selector.text}` };
    }
    const version = parameter.versions.find((v) => v.labels.includes(selector.label));
    if (!version) throw new AwsServiceError('ParameterNotFound', `Parameter ${name}:${selector.label} not found.`);
    return { parameter, version, selector: `:${selector.text}` };
  }

  /** Every parameter as plain data (copies: the caller may keep them while the store changes). */
  exportParameters(): ParameterSnapshot[] {
    return this.list().map((p) => ({ name: p.name, versions: p.versions.map((v) => ({ ...v, labels: [...v.labels] })), tags: [...p.tags] }));
  }

  /**
   * Replaces the parameters with saved ones (version numbers and labels kept as they were). Names are read in
   * their canonical form, so a one-level name saved with its leading slash is found again.
   */
  importParameters(saved: readonly ParameterSnapshot[]): void {
    this.parameters.clear();
    for (const p of saved) {
      const name = canonicalName(p.name);
      this.parameters.set(name, { name, versions: p.versions.map((v) => ({ ...v, labels: [...v.labels] })), tags: new Map(p.tags) });
    }
  }
}
