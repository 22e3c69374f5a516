/**
 * Request shapes of the ECS operations. ECS's model carries almost no constraints: the service checks its requests
 * itself and answers the first problem alone, in its own words (`InvalidParameterException: Tasks cannot be
 * empty.`). Those words are the schemas' messages here; `validation.ts` parses with them. What ECS checks against
 * its state (a cluster that exists, an ACTIVE task definition, awsvpc's subnets) and its `ClientException`s of
 * RegisterTaskDefinition are the operations' checks, after these.
 */
import { z } from 'zod';

/** A member that must be present and not empty: `serviceName can not be blank.` */
function required(member: string) {
  return z.string({ error: `${member} can not be blank.` }).min(1, `${member} can not be blank.`);
}

/** An integer member within ECS's bounds: `count must be an integer between 1 and 10.` */
function integer(member: string, min: number, max: number) {
  const message = `${member} must be an integer between ${min} and ${max}.`;
  return z.number().int(message).min(min, message).max(max, message).optional();
}

/** One of a member's values: `launchType must be one of EC2, FARGATE, EXTERNAL.` */
function oneOf<const T extends readonly [string, ...string[]]>(member: string, values: T) {
  return z.enum(values, { error: `${member} must be one of ${values.join(', ')}.` }).optional();
}

/** Cluster, service and family names: up to 255 letters, numbers, hyphens and underscores. */
const NAME = /^[a-zA-Z0-9_-]{1,255}$/;
const nameRule = (kind: string) => `${kind} name must be 1-255 characters: letters, numbers, hyphens and underscores.`;

const cluster = z.string().optional();
const nextToken = z.string().optional();
const maxResults = integer('maxResults', 1, 100);
/** `include: ["TAGS", ...]` asks for tags in Describe* answers. */
const include = z.array(z.string()).optional();
const launchType = oneOf('launchType', ['EC2', 'FARGATE', 'EXTERNAL']);
const propagateTags = oneOf('propagateTags', ['TASK_DEFINITION', 'SERVICE', 'NONE']);
/** The awsvpc configuration, kept as given (its subnets are checked against the task definition's network mode). */
const networkConfiguration = z.record(z.string(), z.unknown()).optional();

/** ECS tag rules: at most 50 tags, keys 1–128 characters, values up to 256, no duplicate keys. */
const tags = z
  .array(
    z.object({
      key: z
        .string({ error: 'Tag keys must be between 1 and 128 characters.' })
        .min(1, 'Tag keys must be between 1 and 128 characters.')
        .max(128, 'Tag keys must be between 1 and 128 characters.'),
      value: z.string().max(256, 'Tag values must be at most 256 characters.').optional(),
    }),
  )
  .max(50, 'Resource can have at most 50 tags.')
  .superRefine((list, ctx) => {
    const seen = new Set<string>();
    for (const tag of list) {
      if (seen.has(tag.key)) ctx.addIssue({ code: 'custom', message: `Duplicate tag key: ${tag.key}.` });
      seen.add(tag.key);
    }
  })
  .optional();
export type TagsInput = z.infer<typeof tags>;

const deploymentConfiguration = z
  .object({
    maximumPercent: integer('maximumPercent', 100, 400),
    minimumHealthyPercent: integer('minimumHealthyPercent', 0, 100),
    deploymentCircuitBreaker: z.object({ enable: z.boolean().optional(), rollback: z.boolean().optional() }).optional(),
  })
  .optional();
export type DeploymentConfigurationInput = z.infer<typeof deploymentConfiguration>;

// Clusters

export const createClusterInput = z.object({
  clusterName: z.string().regex(NAME, nameRule('Cluster')).optional(),
  tags,
  settings: z.array(z.unknown()).optional(),
  /** A Cloud Map namespace by name or ARN. */
  serviceConnectDefaults: z
    .object({
      namespace: z
        .string({ error: 'serviceConnectDefaults.namespace can not be empty.' })
        .min(1, 'serviceConnectDefaults.namespace can not be empty.'),
    })
    .optional(),
});
export type CreateClusterInput = z.infer<typeof createClusterInput>;

export const describeClustersInput = z.object({
  clusters: z.array(z.string()).max(100, 'clusters can have at most 100 items.').optional(),
  include,
});
export type DescribeClustersInput = z.infer<typeof describeClustersInput>;

export const listClustersInput = z.object({ nextToken, maxResults });
export type ListClustersInput = z.infer<typeof listClustersInput>;

export const deleteClusterInput = z.object({ cluster });
export type DeleteClusterInput = z.infer<typeof deleteClusterInput>;

// Task definitions

/** Members beyond these are kept and echoed back (`looseObject`), as ECS echoes a task definition. */
export const registerTaskDefinitionInput = z.looseObject({
  family: required('family'),
  /** Each container's name, image and essential flag are ECS's checks (ClientException), in the operation. */
  containerDefinitions: z.array(z.looseObject({})).optional(),
  requiresCompatibilities: z.array(z.string()).optional(),
  networkMode: z.string().optional(),
  /** Strings in the model (`"512"`); a number is taken as its text. */
  cpu: z.union([z.string(), z.number()]).optional(),
  memory: z.union([z.string(), z.number()]).optional(),
  pidMode: z.string().optional(),
  ipcMode: z.string().optional(),
  tags,
});
export type RegisterTaskDefinitionInput = z.infer<typeof registerTaskDefinitionInput>;

export const describeTaskDefinitionInput = z.object({ taskDefinition: required('taskDefinition'), include });
export type DescribeTaskDefinitionInput = z.infer<typeof describeTaskDefinitionInput>;

export const listTaskDefinitionsInput = z.object({
  familyPrefix: z.string().optional(),
  status: oneOf('status', ['ACTIVE', 'INACTIVE', 'DELETE_IN_PROGRESS']),
  sort: oneOf('sort', ['ASC', 'DESC']),
  nextToken,
  maxResults,
});
export type ListTaskDefinitionsInput = z.infer<typeof listTaskDefinitionsInput>;

export const listTaskDefinitionFamiliesInput = z.object({
  familyPrefix: z.string().optional(),
  status: oneOf('status', ['ACTIVE', 'INACTIVE', 'ALL']),
  nextToken,
  maxResults,
});
export type ListTaskDefinitionFamiliesInput = z.infer<typeof listTaskDefinitionFamiliesInput>;

export const deregisterTaskDefinitionInput = z.object({ taskDefinition: required('taskDefinition') });
export type DeregisterTaskDefinitionInput = z.infer<typeof deregisterTaskDefinitionInput>;

// Services

/** Members beyond these (loadBalancers, serviceRegistries, ...) are kept and echoed back (`looseObject`). */
export const createServiceInput = z.looseObject({
  serviceName: required('serviceName').regex(NAME, nameRule('Service')),
  clientToken: z.string().min(1, 'clientToken must be between 1 and 36 characters.').max(36, 'clientToken must be between 1 and 36 characters.').optional(),
  desiredCount: integer('desiredCount', 0, 10_000),
  launchType,
  propagateTags,
  cluster,
  schedulingStrategy: z.string().optional(),
  taskDefinition: required('taskDefinition'),
  networkConfiguration,
  platformVersion: z.string().optional(),
  deploymentConfiguration,
  /** A role name (with its path) or ARN, for the load balancers of a service not in awsvpc mode. */
  role: z.string().optional(),
  enableECSManagedTags: z.boolean().optional(),
  tags,
});
export type CreateServiceInput = z.infer<typeof createServiceInput>;

export const updateServiceInput = z.object({
  desiredCount: integer('desiredCount', 0, 10_000),
  cluster,
  service: required('service'),
  taskDefinition: z.string().optional(),
  networkConfiguration,
  deploymentConfiguration,
  propagateTags,
  enableECSManagedTags: z.boolean().optional(),
  forceNewDeployment: z.boolean().optional(),
  healthCheckGracePeriodSeconds: integer('healthCheckGracePeriodSeconds', 0, 2_147_483_647),
  /** Rolling-update services may add, change or remove them (an empty list removes every one). */
  loadBalancers: z.array(z.looseObject({ targetGroupArn: z.string().optional(), containerName: z.string().optional(), containerPort: z.number().optional() })).optional(),
});
export type UpdateServiceInput = z.infer<typeof updateServiceInput>;

export const describeServicesInput = z.object({
  services: z.array(z.string(), { error: 'Services cannot be empty.' }).min(1, 'Services cannot be empty.').max(10, 'services can have at most 10 items.'),
  cluster,
  include,
});
export type DescribeServicesInput = z.infer<typeof describeServicesInput>;

export const listServicesInput = z.object({ launchType: z.string().optional(), maxResults, cluster, nextToken });
export type ListServicesInput = z.infer<typeof listServicesInput>;

export const deleteServiceInput = z.object({ cluster, service: required('service'), force: z.boolean().optional() });
export type DeleteServiceInput = z.infer<typeof deleteServiceInput>;

// Tasks

export const runTaskInput = z.object({
  taskDefinition: required('taskDefinition'),
  count: integer('count', 1, 10),
  startedBy: z.string().max(128, 'startedBy can be at most 128 characters.').optional(),
  propagateTags,
  cluster,
  networkConfiguration,
  tags,
  enableECSManagedTags: z.boolean().optional(),
  group: z.string().optional(),
  launchType,
  platformVersion: z.string().optional(),
  overrides: z.record(z.string(), z.unknown()).optional(),
});
export type RunTaskInput = z.infer<typeof runTaskInput>;

export const stopTaskInput = z.object({
  task: required('task'),
  reason: z.string().max(255, 'reason can be at most 255 characters.').optional(),
  cluster,
});
export type StopTaskInput = z.infer<typeof stopTaskInput>;

export const listTasksInput = z.object({
  family: z.string().optional(),
  startedBy: z.string().optional(),
  launchType: z.string().optional(),
  desiredStatus: oneOf('desiredStatus', ['RUNNING', 'PENDING', 'STOPPED']),
  serviceName: z.string().optional(),
  maxResults,
  cluster,
  nextToken,
});
export type ListTasksInput = z.infer<typeof listTasksInput>;

export const describeTasksInput = z.object({
  tasks: z.array(z.string(), { error: 'Tasks cannot be empty.' }).min(1, 'Tasks cannot be empty.').max(100, 'Tasks cannot be longer than 100.'),
  cluster,
  include,
});
export type DescribeTasksInput = z.infer<typeof describeTasksInput>;

// Tags

export const tagResourceInput = z.object({ resourceArn: required('resourceArn'), tags });
export type TagResourceInput = z.infer<typeof tagResourceInput>;

export const untagResourceInput = z.object({ resourceArn: required('resourceArn'), tagKeys: z.array(z.string()).optional() });
export type UntagResourceInput = z.infer<typeof untagResourceInput>;

export const listTagsForResourceInput = z.object({ resourceArn: required('resourceArn') });
export type ListTagsForResourceInput = z.infer<typeof listTagsForResourceInput>;
