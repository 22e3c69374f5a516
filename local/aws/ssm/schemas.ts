/** Request shapes of the SSM operations, with the member constraints of the SSM API reference. */
import { z } from 'zod';

const name = z.string().min(1).max(2048);
const tag = z.object({ Key: z.string().min(1).max(128), Value: z.string().max(256) });
const nextToken = z.string().optional();
const withDecryption = z.boolean().optional();

/** ParameterStringFilter: the model's pattern on `Key` is checked before the operation's own list of keys. */
export const parameterFilter = z.object({
  Key: z
    .string()
    .min(1)
    .max(132)
    .regex(/^(tag:.+|Name|Type|KeyId|Path|Label|Tier|DataType)$/, 'Member must satisfy regular expression pattern: tag:.+|Name|Type|KeyId|Path|Label|Tier|DataType'),
  Option: z.string().min(1).max(10).optional(),
  Values: z.array(z.string().min(1).max(1024)).min(1).max(50).optional(),
});
export type ParameterFilter = z.infer<typeof parameterFilter>;

export const putParameterInput = z.object({
  Name: name,
  Value: z.string().min(1, 'Member must have length greater than or equal to 1'),
  Type: z.enum(['String', 'StringList', 'SecureString']).optional(),
  Description: z.string().max(1024).optional(),
  KeyId: z.string().min(1).max(256).optional(),
  Overwrite: z.boolean().optional(),
  AllowedPattern: z.string().max(1024).optional(),
  Tags: z.array(tag).max(1000).optional(),
  Tier: z.enum(['Standard', 'Advanced', 'Intelligent-Tiering']).optional(),
  Policies: z.string().optional(),
  DataType: z.string().max(128).optional(),
});
export type PutParameterInput = z.infer<typeof putParameterInput>;

export const getParameterInput = z.object({ Name: name, WithDecryption: withDecryption });

export const getParametersInput = z.object({
  Names: z.array(name).min(1).max(10, 'Member must have length less than or equal to 10'),
  WithDecryption: withDecryption,
});

export const getParametersByPathInput = z.object({
  Path: name,
  Recursive: z.boolean().optional(),
  ParameterFilters: z.array(parameterFilter).optional(),
  WithDecryption: withDecryption,
  MaxResults: z.number().int().min(1).max(10, 'Member must have value less than or equal to 10').optional(),
  NextToken: nextToken,
});

export const getParameterHistoryInput = z.object({
  Name: name,
  WithDecryption: withDecryption,
  MaxResults: z.number().int().min(1).max(50, 'Member must have value less than or equal to 50').optional(),
  NextToken: nextToken,
});

export const labelParameterVersionInput = z.object({
  Name: name,
  ParameterVersion: z.number().int().optional(),
  Labels: z.array(z.string().min(1).max(100)).min(1).max(10),
});

export const unlabelParameterVersionInput = z.object({
  Name: name,
  ParameterVersion: z.number().int(),
  Labels: z.array(z.string().min(1).max(100)).min(1).max(10),
});

export const deleteParameterInput = z.object({ Name: name });

export const deleteParametersInput = z.object({
  Names: z.array(name).min(1).max(10, 'Member must have length less than or equal to 10'),
});

/** ParametersFilter, the deprecated form of DescribeParameters' filters (`Filters`). */
export const legacyParametersFilter = z.object({
  Key: z.enum(['Name', 'Type', 'KeyId']),
  Values: z.array(z.string().min(1).max(1024)).min(1).max(50),
});
export type LegacyParametersFilter = z.infer<typeof legacyParametersFilter>;

export const describeParametersInput = z.object({
  Filters: z.array(legacyParametersFilter).optional(),
  ParameterFilters: z.array(parameterFilter).optional(),
  MaxResults: z.number().int().min(1).max(50).optional(),
  NextToken: nextToken,
});

const parameterResource = { ResourceType: z.string(), ResourceId: z.string().min(1) };
export const addTagsInput = z.object({ ...parameterResource, Tags: z.array(tag).max(1000) });
export const removeTagsInput = z.object({ ...parameterResource, TagKeys: z.array(z.string()) });
export const listTagsInput = z.object(parameterResource);
