import type { EcsApi } from '../../../layers/adapters/ecs';
import { buildConfigEntries } from '../../../layers/domain/consul/config-entries';
import { stableStringify } from '../../../layers/domain/ecs/hash';
import { deployStages, meshClusters, resolveTarget } from '../../../layers/domain/ecs/targets';
import { clusterNameFromArn, meshParameterPrefix, TAG } from '../../../layers/domain/naming';
import type { MeshSpec } from '../../../layers/domain/spec/schema';
import { registeringClusterNames } from '../../../layers/churn/mesh-clusters';
import { renderedConfiguration } from '../../../layers/deploy/config-store';
import { wantedSecretNames } from '../../../layers/deploy/wanted-secrets';
import type { LocalCloud } from '@consul-mesh/local-cloud';

const CTX = { region: 'us-east-1', accountId: '000000000000', requestId: 'convergence-check' };

/**
 * Compares what the account holds of the mesh with the last deployed spec, beyond the catalog (catalog-check.ts) and
 * returns every difference in words:
 * - ECS: the ACTIVE clusters tagged with the mesh are the spec's; each has exactly the spec's services ACTIVE (a
 *   removed one is DRAINING or INACTIVE), on the spec's task-definition family, with the spec's desired count unless
 *   `scaledOutside` says an operator scaled it with the ECS API since the deployment;
 * - Consul: the config entries (service-defaults, intentions, the gateway's...) are exactly the spec's, with the
 *   spec's content; no synthetic node of a cluster the spec no longer registers in holds an instance;
 * - SSM: the configuration parameters (`config/`, `config-entries/`) are exactly the rendered ones, with their content;
 *   every secret the spec needs exists (a removed service's token may stay: a deployment never removes a secret).
 */
export async function findMeshDrift(cloud: LocalCloud, ecs: EcsApi, spec: MeshSpec, scaledOutside: ReadonlySet<string>): Promise<string[]> {
  const drift: string[] = [];

  const described = await ecs.describeClusters((await ecs.listClusterArns()).map(clusterNameFromArn), { includeTags: true });
  const ownClusters = described
    .filter((c) => c.status === 'ACTIVE' && c.tags?.some((t) => t.key === TAG.mesh && t.value === spec.name))
    .map((c) => c.clusterName!)
    .sort();
  const wantedClusters = [...new Set(meshClusters(spec).map((c) => c.name))].sort();
  if (stableStringify(ownClusters) !== stableStringify(wantedClusters)) drift.push(`ECS clusters ${ownClusters.join(',')}, the spec has ${wantedClusters.join(',')}`);

  const targets = deployStages(spec)
    .flat()
    .map((t) => resolveTarget(spec, t));
  for (const cluster of wantedClusters) {
    const services = await ecs.describeServices(cluster, (await ecs.listServiceArns(cluster)).map((arn) => arn.slice(arn.lastIndexOf('/') + 1)));
    const active = services.filter((s) => s.status === 'ACTIVE');
    const wanted = targets.filter((t) => t.cluster === cluster);
    const names = (list: Array<{ serviceName?: string }>) => list.map((s) => s.serviceName ?? '').sort();
    if (stableStringify(names(active)) !== stableStringify(names(wanted))) drift.push(`ECS services of ${cluster}: ${names(active).join(',')}, the spec has ${names(wanted).join(',')}`);
    for (const target of wanted) {
      const service = active.find((s) => s.serviceName === target.serviceName);
      if (!service) continue;
      if (!scaledOutside.has(target.serviceName) && service.desiredCount !== target.desiredCount) {
        drift.push(`ECS service ${cluster}/${target.serviceName}: desiredCount ${service.desiredCount}, the spec says ${target.desiredCount}`);
      }
      if (!service.taskDefinition?.includes(`:task-definition/${target.family}:`)) drift.push(`ECS service ${cluster}/${target.serviceName} runs ${service.taskDefinition}, not of ${target.family}`);
    }
  }

  const catalog = cloud.consul.catalog();
  const entries = new Map(catalog.configEntries.map((e) => [`${String(e.Kind)}/${String(e.Name)}`, e]));
  const wantedEntries = new Map(buildConfigEntries(spec).map((e) => [`${e.Kind}/${e.Name}`, e as unknown as Record<string, unknown>]));
  for (const id of entries.keys()) if (!wantedEntries.has(id)) drift.push(`Consul config entry ${id} is not in the spec`);
  for (const [id, entry] of wantedEntries) {
    const current = entries.get(id);
    if (!current) {
      drift.push(`Consul config entry ${id} is missing`);
      continue;
    }
    // Consul adds its own fields (CreateIndex, ModifyIndex...): compare the ones the mesh sets.
    for (const key of Object.keys(entry)) {
      if (stableStringify(entry[key]) !== stableStringify(current[key])) drift.push(`Consul config entry ${id}: ${key} is ${stableStringify(current[key])}, the spec says ${stableStringify(entry[key])}`);
    }
  }
  const registering = new Set(registeringClusterNames(spec));
  for (const entry of catalog.services) {
    const node = catalog.nodes.find((n) => n.Node === entry.Node);
    if (node?.Meta?.['synthetic-node'] === 'true' && !registering.has(entry.Node)) drift.push(`Consul instance ${entry.ID} on ${entry.Node}, a cluster the spec does not register in`);
  }

  const rendered = renderedConfiguration(spec);
  const stored = new Map<string, string>();
  for (const path of [`${meshParameterPrefix(spec)}/config`, `${meshParameterPrefix(spec)}/config-entries`]) {
    let NextToken: string | undefined;
    do {
      const page = (await cloud.ssm.operations.GetParametersByPath({ Path: path, Recursive: true, NextToken }, CTX)) as {
        Parameters: Array<{ Name: string; Value: string }>;
        NextToken?: string;
      };
      for (const p of page.Parameters) stored.set(p.Name, p.Value);
      NextToken = page.NextToken;
    } while (NextToken);
  }
  for (const name of stored.keys()) if (!rendered.has(name)) drift.push(`SSM parameter ${name} is not the spec's`);
  for (const [name, value] of rendered) {
    if (!stored.has(name)) drift.push(`SSM parameter ${name} is missing`);
    else if (stored.get(name) !== value) drift.push(`SSM parameter ${name} differs from the spec's rendering`);
  }
  for (const name of wantedSecretNames(spec)) {
    try {
      await cloud.ssm.operations.GetParameter({ Name: name }, CTX);
    } catch {
      drift.push(`secret ${name} is missing`);
    }
  }
  return drift;
}
