/**
 * Narrowing of operation input (untyped JSON) at the edge, with ECS-style `InvalidParameterException`s that
 * name the offending member.
 */
import { invalidParameter, type OperationInput } from '../protocol';
import type { Tag } from './model';

export function optionalString(input: OperationInput, key: string): string | undefined {
  const value = input[key];
  if (value === undefined || value === null) return undefined;
  if (typeof value !== 'string') throw invalidParameter(`${key} must be a string.`);
  return value;
}

export function requiredString(input: OperationInput, key: string): string {
  const value = optionalString(input, key);
  if (value === undefined || value === '') throw invalidParameter(`${key} can not be blank.`);
  return value;
}

export function optionalInteger(input: OperationInput, key: string, min: number, max: number): number | undefined {
  const value = input[key];
  if (value === undefined || value === null) return undefined;
  if (typeof value !== 'number' || !Number.isInteger(value) || value < min || value > max) {
    throw invalidParameter(`${key} must be an integer between ${min} and ${max}.`);
  }
  return value;
}

export function optionalBoolean(input: OperationInput, key: string): boolean | undefined {
  const value = input[key];
  if (value === undefined || value === null) return undefined;
  if (typeof value !== 'boolean') throw invalidParameter(`${key} must be a boolean.`);
  return value;
}

export function optionalStringList(input: OperationInput, key: string): string[] | undefined {
  const value = input[key];
  if (value === undefined || value === null) return undefined;
  if (!Array.isArray(value) || value.some((item) => typeof item !== 'string')) {
    throw invalidParameter(`${key} must be a list of strings.`);
  }
  return value as string[];
}

export function optionalObject(input: OperationInput, key: string): Record<string, unknown> | undefined {
  const value = input[key];
  if (value === undefined || value === null) return undefined;
  if (typeof value !== 'object' || Array.isArray(value)) throw invalidParameter(`${key} must be an object.`);
  return value as Record<string, unknown>;
}

/** One of `allowed`, or undefined when absent. */
export function optionalEnum<T extends string>(input: OperationInput, key: string, allowed: readonly T[]): T | undefined {
  const value = optionalString(input, key);
  if (value === undefined) return undefined;
  if (!(allowed as readonly string[]).includes(value)) {
    throw invalidParameter(`${key} must be one of ${allowed.join(', ')}.`);
  }
  return value as T;
}

/** ECS tag rules: at most 50 tags, keys 1–128 characters, values up to 256, no duplicate keys. */
export function optionalTags(input: OperationInput, key = 'tags'): Tag[] {
  const value = input[key];
  if (value === undefined || value === null) return [];
  if (!Array.isArray(value)) throw invalidParameter(`${key} must be a list of tags.`);
  if (value.length > 50) throw invalidParameter('Resource can have at most 50 tags.');
  const seen = new Set<string>();
  return value.map((item: unknown) => {
    const tag = item as { key?: unknown; value?: unknown };
    if (typeof tag?.key !== 'string' || tag.key.length < 1 || tag.key.length > 128) {
      throw invalidParameter('Tag keys must be between 1 and 128 characters.');
    }
    if (tag.value !== undefined && (typeof tag.value !== 'string' || tag.value.length > 256)) {
      throw invalidParameter('Tag values must be at most 256 characters.');
    }
    if (seen.has(tag.key)) throw invalidParameter(`Duplicate tag key: ${tag.key}.`);
    seen.add(tag.key);
    return { key: tag.key, value: typeof tag.value === 'string' ? tag.value : '' };
  });
}

/** Merges tags by key (TagResource overwrites existing keys). */
export function mergeTags(existing: Tag[], added: Tag[]): Tag[] {
  const byKey = new Map(existing.map((tag) => [tag.key, tag.value]));
  for (const tag of added) byKey.set(tag.key, tag.value);
  if (byKey.size > 50) throw invalidParameter('Resource can have at most 50 tags.');
  return [...byKey].map(([key, value]) => ({ key, value }));
}

/** `include: ["TAGS", ...]` asks for tags in Describe* answers. */
export function includes(input: OperationInput, what: string): boolean {
  return optionalStringList(input, 'include')?.includes(what) ?? false;
}
