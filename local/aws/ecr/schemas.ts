/** Request shapes of the ECR operations, with the member constraints of the ECR API reference. */
import { z } from 'zod';
import { REPOSITORY_NAME_PATTERN } from './names';

/**
 * `repositoryName` with the model's length and pattern, checked in every operation before the repository is
 * looked up (a malformed name is InvalidParameterException, never RepositoryNotFoundException).
 */
const repositoryName = z
  .string()
  .min(2, 'must have length between 2 and 256')
  .max(256, 'must have length between 2 and 256')
  .regex(new RegExp(`^${REPOSITORY_NAME_PATTERN}$`), `must satisfy regular expression '${REPOSITORY_NAME_PATTERN}'`);
const registryId = z.string().regex(/^[0-9]{12}$/, 'must satisfy regular expression \'[0-9]{12}\'').optional();
const imageId = z.object({ imageDigest: z.string().optional(), imageTag: z.string().min(1).max(300).optional() });
const tag = z.object({ Key: z.string().min(1).max(128), Value: z.string().max(256) });
const tagStatusFilter = z.object({ tagStatus: z.enum(['TAGGED', 'UNTAGGED', 'ANY']).optional() }).optional();

export const createRepositoryInput = z.object({
  registryId,
  repositoryName,
  tags: z.array(tag).optional(),
  imageTagMutability: z.enum(['MUTABLE', 'IMMUTABLE']).optional(),
  imageScanningConfiguration: z.object({ scanOnPush: z.boolean().optional() }).optional(),
});

export const describeRepositoriesInput = z.object({
  registryId,
  repositoryNames: z.array(repositoryName).min(1).max(100).optional(),
  nextToken: z.string().optional(),
  maxResults: z.number().int().min(1).max(1000).optional(),
});

export const deleteRepositoryInput = z.object({ registryId, repositoryName, force: z.boolean().optional() });

export const describeImagesInput = z.object({
  registryId,
  repositoryName,
  imageIds: z.array(imageId).min(1).max(100).optional(),
  nextToken: z.string().optional(),
  maxResults: z.number().int().min(1).max(1000).optional(),
  filter: tagStatusFilter,
});

export const listImagesInput = z.object({
  registryId,
  repositoryName,
  nextToken: z.string().optional(),
  maxResults: z.number().int().min(1).max(1000).optional(),
  filter: tagStatusFilter,
});

export const batchGetImageInput = z.object({
  registryId,
  repositoryName,
  imageIds: z.array(imageId).min(1).max(100),
  acceptedMediaTypes: z.array(z.string()).min(1).max(100).optional(),
});

export const putImageInput = z.object({
  registryId,
  repositoryName,
  imageManifest: z.string().min(1).max(4194304),
  imageManifestMediaType: z.string().optional(),
  imageTag: z.string().min(1).max(300).optional(),
  imageDigest: z.string().optional(),
});

export const batchDeleteImageInput = z.object({
  registryId,
  repositoryName,
  imageIds: z.array(imageId).min(1).max(100),
});

export const getAuthorizationTokenInput = z.object({ registryIds: z.array(z.string()).min(1).max(10).optional() });
