/**
 * TagResource, UntagResource, ListTagsForResource for clusters, services, tasks and task definitions.
 */
import { AwsServiceError, invalidParameter, type OperationHandler } from '../../protocol';
import { parseEcsArn } from '../arns';
import { mergeTags, optionalStringList, optionalTags, requiredString } from '../input';
import type { Tag } from '../model';
import { tagsToApi } from '../render';
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

export function tagOperations({ store }: EcsOperationDependencies): Record<string, OperationHandler> {
  return {
    TagResource(input) {
      const resource = taggableResource(store, requiredString(input, 'resourceArn'));
      const tags = optionalTags(input);
      // The aws: prefix is reserved for tags AWS manages (e.g. ECS managed tags).
      if (tags.some((tag) => tag.key.toLowerCase().startsWith('aws:'))) {
        throw invalidParameter(`Tag keys beginning with 'aws:' are reserved.`);
      }
      resource.tags = mergeTags(resource.tags, tags);
      return {};
    },

    UntagResource(input) {
      const resource = taggableResource(store, requiredString(input, 'resourceArn'));
      const keys = new Set(optionalStringList(input, 'tagKeys') ?? []);
      resource.tags = resource.tags.filter((tag) => !keys.has(tag.key));
      return {};
    },

    ListTagsForResource(input) {
      const resource = taggableResource(store, requiredString(input, 'resourceArn'));
      return { tags: tagsToApi(resource.tags) };
    },
  };
}
