/**
 * What ECS does with a task's execution role before any container starts (ECS developer guide, "Amazon ECS task
 * execution IAM role"): it gets the registry credentials and pulls each private ECR image, reads each `secrets`
 * parameter from SSM (ssm:GetParameters) and creates the awslogs streams. Each is authorized against the execution
 * role; the first refused one stops the task with the reason Fargate gives (`ResourceInitializationError`, or
 * `CannotPullContainerError` for the image itself).
 */
import { randomUUID } from 'node:crypto';
import type { TaskDefinitionRecord } from '../ecs/model';
import { repositoryArn } from './actions';
import type { IamAuthorizer } from './authorizer';
import { accessDeniedMessage } from './authorizer';
import type { AuthorizationRequest } from './policy';

const ECR_IMAGE = /^(\d{12})\.dkr\.ecr\.([a-z0-9-]+)\.amazonaws\.com\/([^:@\s]+)/;

interface Container {
  name?: string;
  image?: string;
  secrets?: Array<{ name?: string; valueFrom?: string }>;
  logConfiguration?: { logDriver?: string; options?: Record<string, string> };
}

interface Step {
  request: AuthorizationRequest;
  reason: (denied: string) => string;
}

/** The stopped reason of a task its execution role cannot start, or undefined. */
export function executionRoleError(
  iam: IamAuthorizer,
  task: { taskId: string; region: string },
  definition: Pick<TaskDefinitionRecord, 'containerDefinitions' | 'extra'>,
  accountId: string,
): string | undefined {
  const roleArn = typeof definition.extra.executionRoleArn === 'string' ? definition.extra.executionRoleArn : undefined;
  // A role the packaged template does not define (a hand-made task definition of a test) is not evaluated.
  if (!roleArn || !iam.enforcing || !iam.hasRole(roleArn)) return undefined;
  const { principal } = iam.assumeRole(roleArn, task.taskId);
  const steps: Step[] = [];
  const containers = definition.containerDefinitions as Container[];
  const retrieval = (what: string) => (denied: string) =>
    `ResourceInitializationError: unable to pull secrets or registry auth: execution resource retrieval failed: ${what}: service call has been retried 1 time(s): AccessDeniedException: ${denied}`;
  for (const container of containers) {
    const ecr = ECR_IMAGE.exec(container.image ?? '');
    if (!ecr) continue;
    steps.push({ request: { action: 'ecr:GetAuthorizationToken', resource: '*', context: {} }, reason: retrieval('unable to retrieve ecr registry auth') });
    for (const action of ['ecr:BatchCheckLayerAvailability', 'ecr:GetDownloadUrlForLayer', 'ecr:BatchGetImage']) {
      steps.push({
        request: { action, resource: repositoryArn({ region: ecr[2], accountId: ecr[1] }, ecr[3]), context: {} },
        reason: (denied) => `CannotPullContainerError: pull image manifest has been retried 1 time(s): failed to resolve ref ${container.image}: unexpected status from HEAD request: 403 Forbidden: ${denied}`,
      });
    }
  }
  for (const container of containers) {
    for (const secret of container.secrets ?? []) {
      const from = secret.valueFrom ?? '';
      const arn = from.startsWith('arn:') ? from : `arn:aws:ssm:${task.region}:${accountId}:parameter/${from.replace(/^\/+/, '')}`;
      if (!arn.startsWith('arn:aws:ssm:')) continue;
      steps.push({
        request: { action: 'ssm:GetParameters', resource: arn, context: {} },
        reason: (denied) => `${retrieval('unable to retrieve secrets from ssm')(denied)} status code: 400, request id: ${randomUUID()}`,
      });
    }
  }
  for (const container of containers) {
    const log = container.logConfiguration;
    const group = log?.options?.['awslogs-group'];
    if (log?.logDriver !== 'awslogs' || !group) continue;
    const region = log.options?.['awslogs-region'] ?? task.region;
    const groupArn = `arn:aws:logs:${region}:${accountId}:log-group:${group}`;
    const stream = `${log.options?.['awslogs-stream-prefix'] ?? 'ecs'}/${container.name ?? ''}/${task.taskId}`;
    const logsFailure = (denied: string) => `ResourceInitializationError: failed to validate logger args: create stream has been retried 1 times: failed to create Cloudwatch log stream: AccessDeniedException: ${denied} : exit status 1`;
    if (log.options?.['awslogs-create-group'] === 'true') steps.push({ request: { action: 'logs:CreateLogGroup', resource: `${groupArn}:*`, context: {} }, reason: logsFailure });
    for (const action of ['logs:CreateLogStream', 'logs:PutLogEvents']) {
      steps.push({ request: { action, resource: `${groupArn}:log-stream:${stream}`, context: {} }, reason: logsFailure });
    }
  }
  for (const step of steps) {
    const decision = iam.decide(principal, step.request);
    if (decision !== 'Allowed') return step.reason(accessDeniedMessage(principal.arn, step.request, decision));
  }
  return undefined;
}
