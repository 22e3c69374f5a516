/**
 * TagResource, UntagResource, ListTagsForResource for clusters, services, tasks and task definitions.
 */
import { AwsServiceError, invalidParameter } from '../../protocol';
import { parseEcsArn } from '../arns';
import type { Tag } from '../model';
import { tagsToApi } from '../render';
import { mergeTags, tagsOf } from '../request';
import type { ListTagsForResourceInput, TagResourceInput, UntagResourceInput } from '../schemas';
import type { EcsStore } from '../store';
import type { EcsOperationDependencies } from './common';

interface Taggable {
  tags: Tag[];
}

const notFound = () => new AwsServiceError('ResourceNotFoundException', 'The specified resource could not be found.', 400);

function taggableResource(store: EcsStore, arn: string): Taggable {
  const parsed = parseEcsArn(arn);
  if (!parsed) throw invalidParameter('Invalid resource ARN.');
  const state = store.region(parsed.region);
  let resource: Taggable | undefined;
  switch (parsed.resourceType) {
    case 'cluster':
      resource = state.cluster(parsed.resource);
      break;
    case 'service':
      resource = state.services.get(arn);
      break;
    case 'task':
      resource = state.tasks.get(arn);
      break;
    case 'task-definition':
      resource = parsed.resource.includes(':') ? state.taskDefinition(parsed.resource) : undefined;
      break;
    default:
      throw invalidParameter(`Tagging is not supported for resource type '${parsed.resourceType}'.`);
  }
  if (!resource) throw notFound();
  return resource;
}

export function tagResource({ store }: EcsOperationDependencies, request: TagResourceInput) {
  const tags = tagsOf(request.tags);
  // The aws: prefix is reserved for tags AWS manages (e.g. ECS managed tags).
  if (tags.some((tag) => tag.key.toLowerCase().startsWith('aws:'))) {
    throw invalidParameter(`Tag keys beginning with 'aws:' are reserved.`);
  }
  const resource = taggableResource(store, request.resourceArn);
  resource.tags = mergeTags(resource.tags, tags);
  return {};
}

export function untagResource({ store }: EcsOperationDependencies, request: UntagResourceInput) {
  const resource = taggableResource(store, request.resourceArn);
  const keys = new Set(request.tagKeys ?? []);
  resource.tags = resource.tags.filter((tag) => !keys.has(tag.key));
  return {};
}

export function listTagsForResource({ store }: EcsOperationDependencies, request: ListTagsForResourceInput) {
  const resource = taggableResource(store, request.resourceArn);
  return { tags: tagsToApi(resource.tags) };
}
