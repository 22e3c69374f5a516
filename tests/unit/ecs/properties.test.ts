import fc from 'fast-check';
import type { RegisterTaskDefinitionCommandInput } from '@aws-sdk/client-ecs';
import {
  buildCreateService,
  buildIngressTaskDefinition,
  buildServerTaskDefinition,
  buildServiceTaskDefinition,
  deployStages,
  diffTaskDefinition,
  type TaskDefinitionContext,
} from '../../../layers/domain/ecs';
import type { MeshSpec } from '../../../layers/domain/spec';
import { meshSpecArb } from './spec-arbitrary';
import { contextFor } from './support';

const RUNS = { numRuns: 40 };

function allTaskDefinitions(spec: MeshSpec, ctx: TaskDefinitionContext): RegisterTaskDefinitionCommandInput[] {
  const defs = [buildServerTaskDefinition(spec, ctx)];
  for (const cluster of spec.clusters) for (const s of cluster.services) defs.push(buildServiceTaskDefinition(spec, s.name, ctx));
  if (spec.ingress) defs.push(buildIngressTaskDefinition(spec, ctx));
  return defs;
}

/** Every problem RegisterTaskDefinition (or the task at run time) would have with a definition. */
function problems(td: RegisterTaskDefinitionCommandInput): string[] {
  const out: string[] = [];
  const containers = td.containerDefinitions ?? [];
  if (!td.family || td.family.length > 255 || !/^[A-Za-z0-9_-]+$/.test(td.family)) out.push(`bad family ${td.family}`);
  if (!/^\d+$/.test(td.cpu ?? '') || !/^\d+$/.test(td.memory ?? '')) out.push('cpu/memory must be strings of digits');
  if (td.requiresCompatibilities?.includes('FARGATE') && td.networkMode !== 'awsvpc') out.push('Fargate needs awsvpc');
  const names = containers.map((c) => c.name ?? '');
  if (new Set(names).size !== names.length) out.push(`duplicate container names ${names}`);
  if (!containers.some((c) => c.essential !== false)) out.push('no essential container');
  // The task shares one network namespace (awsvpc) or the host's: a port/protocol may be claimed once.
  const ports = containers.flatMap((c) => (c.portMappings ?? []).map((p) => `${p.containerPort}/${p.protocol}`));
  if (new Set(ports).size !== ports.length) out.push(`port claimed twice: ${ports}`);
  for (const c of containers) {
    for (const p of c.portMappings ?? []) if (p.hostPort !== undefined && p.hostPort !== p.containerPort) out.push('hostPort differs from containerPort');
    for (const d of c.dependsOn ?? []) {
      if (!names.includes(d.containerName ?? '') || d.containerName === c.name) out.push(`${c.name} depends on ${d.containerName}`);
    }
    const env = (c.environment ?? []).map((e) => e.name ?? '');
    if (env.join('\n') !== [...env].sort().join('\n') || new Set(env).size !== env.length) out.push(`${c.name} env not sorted/unique`);
    for (const s of c.secrets ?? []) if (!s.valueFrom?.startsWith('arn:aws:ssm:')) out.push(`${c.name} secret ${s.name} is not an SSM ARN`);
    const hc = c.healthCheck;
    if (hc) {
      const inRange = (v: number | undefined, min: number, max: number) => v !== undefined && v >= min && v <= max;
      if (!inRange(hc.interval, 5, 300) || !inRange(hc.timeout, 2, 60) || !inRange(hc.retries, 1, 10) || !inRange(hc.startPeriod, 0, 300)) out.push(`${c.name} health check out of ECS bounds`);
    }
  }
  return out;
}

describe('ECS builders on any valid spec', () => {
  it('build byte-identical task definitions twice in a row', () => {
    fc.assert(
      fc.property(meshSpecArb, (spec) => {
        const first = JSON.stringify(allTaskDefinitions(spec, contextFor(spec)));
        const second = JSON.stringify(allTaskDefinitions(structuredClone(spec), contextFor(spec)));
        expect(second).toBe(first);
      }),
      RUNS,
    );
  });

  it('build task definitions ECS accepts: unique ports, resolvable dependsOn, string sizes, short families', () => {
    fc.assert(
      fc.property(meshSpecArb, (spec) => {
        for (const td of allTaskDefinitions(spec, contextFor(spec))) expect(problems(td)).toEqual([]);
      }),
      RUNS,
    );
  });

  it('see no difference between a built definition and itself', () => {
    fc.assert(
      fc.property(meshSpecArb, (spec) => {
        for (const td of allTaskDefinitions(spec, contextFor(spec))) {
          const { tags: _tags, ...registered } = td;
          expect(diffTaskDefinition(td, { ...registered, status: 'ACTIVE', revision: 1 }).changed).toBe(false);
        }
      }),
      RUNS,
    );
  });

  it('derive one stable clientToken per service input, and another once its count changes', () => {
    fc.assert(
      fc.property(meshSpecArb, (spec) => {
        const ctx = { subnets: ['subnet-0a1b2c3d'] };
        const targets = deployStages(spec).flat();
        const tokens = targets.map((t) => buildCreateService(spec, t, ctx).clientToken);
        expect(targets.map((t) => buildCreateService(structuredClone(spec), t, ctx).clientToken)).toEqual(tokens);
        expect(new Set(tokens).size).toBe(tokens.length);
        for (const token of tokens) expect(token?.length).toBeLessThanOrEqual(36);
        const changed = structuredClone(spec);
        changed.clusters[0].services[0].desiredCount += 1;
        const target = { role: 'service' as const, service: changed.clusters[0].services[0].name };
        expect(buildCreateService(changed, target, ctx).clientToken).not.toBe(buildCreateService(spec, target, ctx).clientToken);
      }),
      RUNS,
    );
  });
});
