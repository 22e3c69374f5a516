/**
 * Request members turned into the simulation's records, once `validation.ts` has parsed them.
 */
import { invalidParameter } from '../protocol';
import type { Tag } from './model';
import type { TagsInput } from './schemas';

/** Tags as stored: a missing value is the empty string, as ECS keeps it. */
export function tagsOf(tags: TagsInput): Tag[] {
  return (tags ?? []).map((tag) => ({ key: tag.key, value: tag.value ?? '' }));
}

/** Merges tags by key (TagResource overwrites existing keys); a resource keeps at most 50. */
export function mergeTags(existing: Tag[], added: Tag[]): Tag[] {
  const byKey = new Map(existing.map((tag) => [tag.key, tag.value]));
  for (const tag of added) byKey.set(tag.key, tag.value);
  if (byKey.size > 50) throw invalidParameter('Resource can have at most 50 tags.');
  return [...byKey].map(([key, value]) => ({ key, value }));
}

/** `include: ["TAGS", ...]` asks for tags in Describe* answers. */
export function includes(include: readonly string[] | undefined, what: string): boolean {
  return include?.includes(what) ?? false;
}
