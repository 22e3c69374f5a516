import type { ContainerDefinition, RegisterTaskDefinitionCommandInput, TaskDefinition } from '@aws-sdk/client-ecs';
import { byCodeUnits } from './common';
import { stableStringify } from './hash';

/** Whether a new revision must be registered, and why (one line per difference, for `meshctl plan`). */
export interface TaskDefinitionDiff {
  changed: boolean;
  reasons: string[];
}

/**
 * The task-level fields the builders set. Everything else on a described task definition is ECS's own
 * bookkeeping (taskDefinitionArn, revision, status, requiresAttributes, compatibilities, registeredAt/By,
 * deregisteredAt) or not part of a revision (tags, changed with TagResource), and is ignored.
 */
const TASK_FIELDS = ['family', 'taskRoleArn', 'executionRoleArn', 'networkMode', 'requiresCompatibilities', 'cpu', 'memory', 'volumes', 'placementConstraints', 'pidMode', 'ipcMode', 'proxyConfiguration', 'ephemeralStorage', 'runtimePlatform'] as const;

/**
 * Compares the task definition the spec asks for with the ACTIVE revision ECS has. Both sides are normalised
 * the way ECS fills defaults in DescribeTaskDefinition (`essential: true`, `cpu: 0`, empty lists, `protocol: tcp`,
 * `hostPort` equal to `containerPort` in awsvpc/host mode, health check interval 30/timeout 5/retries 3), so an
 * unchanged spec never registers a revision: registering always creates one, and a new revision on a service
 * means a rolling deployment.
 */
export function diffTaskDefinition(desired: RegisterTaskDefinitionCommandInput, current: TaskDefinition | undefined): TaskDefinitionDiff {
  if (!current) return { changed: true, reasons: ['no registered revision'] };
  if (current.status !== undefined && current.status !== 'ACTIVE') return { changed: true, reasons: [`the latest revision is ${current.status}`] };

  const reasons: string[] = [];
  const mode = desired.networkMode ?? current.networkMode;
  for (const field of TASK_FIELDS) {
    const want = normaliseTaskField(field, desired[field]);
    const have = normaliseTaskField(field, current[field]);
    if (stableStringify(want) !== stableStringify(have)) reasons.push(`${field}: ${show(have)} → ${show(want)}`);
  }

  const wanted = byName(desired.containerDefinitions ?? [], mode);
  const had = byName(current.containerDefinitions ?? [], mode);
  for (const name of [...had.keys()].filter((n) => !wanted.has(n)).sort()) reasons.push(`container ${name} removed`);
  for (const name of [...wanted.keys()].sort()) {
    const want = wanted.get(name) as Record<string, unknown>;
    const have = had.get(name);
    if (!have) {
      reasons.push(`container ${name} added`);
      continue;
    }
    for (const key of [...new Set([...Object.keys(want), ...Object.keys(have)])].sort()) {
      if (stableStringify(want[key]) !== stableStringify(have[key])) reasons.push(`containerDefinitions[${name}].${key}: ${show(have[key])} → ${show(want[key])}`);
    }
  }
  return { changed: reasons.length > 0, reasons };
}

function normaliseTaskField(field: (typeof TASK_FIELDS)[number], value: unknown): unknown {
  if (field === 'requiresCompatibilities' && Array.isArray(value)) return prune([...value].sort());
  return prune(value);
}

function byName(containers: ContainerDefinition[], networkMode: string | undefined): Map<string, Record<string, unknown>> {
  return new Map(containers.map((c) => [c.name ?? '', normaliseContainer(c, networkMode)]));
}

function normaliseContainer(container: ContainerDefinition, networkMode: string | undefined): Record<string, unknown> {
  const sameHostPort = networkMode === 'awsvpc' || networkMode === 'host';
  const c: Record<string, unknown> = {
    ...container,
    essential: container.essential ?? true,
    cpu: container.cpu === 0 ? undefined : container.cpu,
    portMappings: container.portMappings?.map((p) => ({
      ...p,
      protocol: p.protocol ?? 'tcp',
      hostPort: p.hostPort ?? (sameHostPort ? p.containerPort : undefined),
    })),
    environment: container.environment && [...container.environment].sort((a, b) => byCodeUnits(a.name ?? '', b.name ?? '')),
    secrets: container.secrets && [...container.secrets].sort((a, b) => byCodeUnits(a.name ?? '', b.name ?? '')),
    healthCheck: container.healthCheck && { interval: 30, timeout: 5, retries: 3, ...dropUndefined(container.healthCheck) },
  };
  return prune(c) as Record<string, unknown>;
}

function dropUndefined<T extends object>(value: T): Partial<T> {
  return Object.fromEntries(Object.entries(value).filter(([, v]) => v !== undefined)) as Partial<T>;
}

/** Drops undefined, null, empty arrays and empty objects at every depth: ECS writes absent lists as `[]`, absent objects as `{}`. */
function prune(value: unknown): unknown {
  if (Array.isArray(value)) {
    const items = value.map(prune).filter((v) => v !== undefined);
    return items.length > 0 ? items : undefined;
  }
  if (value instanceof Date) return value.toISOString();
  if (value !== null && typeof value === 'object') {
    const entries = Object.entries(value)
      .map(([k, v]) => [k, prune(v)] as const)
      .filter(([, v]) => v !== undefined);
    return entries.length > 0 ? Object.fromEntries(entries) : undefined;
  }
  return value === null ? undefined : value;
}

/** A short rendering of a value for a reason line. */
export function show(value: unknown): string {
  if (value === undefined) return '(none)';
  const text = stableStringify(value);
  return text.length > 120 ? `${text.slice(0, 117)}...` : text;
}
