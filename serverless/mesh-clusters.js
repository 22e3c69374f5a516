'use strict';
/**
 * Serverless Framework variable source: the ECS clusters of the mesh, derived at deploy time from the spec file
 * named by `${param:meshSpec}`, so the task-state-change rule and the functions' IAM scopes follow the spec.
 *
 *   detail: { clusterArn: ${file(./serverless/mesh-clusters.js):clusterArnPatterns} }
 *   Condition: { ArnLike: { ecs:cluster: ${file(./serverless/mesh-clusters.js):clusterResourceArns} } }
 *
 * osls (lib/configuration/variables/sources/file.js) `require`s this file and, for `:<property>`, calls the
 * exported function with `{ options, resolveVariable, resolveConfigurationProperty }`; what it returns (a promise
 * is awaited) becomes the value. The spec is validated by the project's own schema and rules (loaded through tsx,
 * a dependency), so an invalid spec fails `serverless package` with one line per problem, and defaults (the
 * server and ingress cluster names) are the schema's.
 */
const path = require('node:path');

const ROOT = path.resolve(__dirname, '..');

/** The validated spec named by the `meshSpec` parameter (a path relative to the repository). */
async function loadSpec(resolveVariable) {
  const specPath = await resolveVariable('param:meshSpec');
  // The spec module is TypeScript: tsx's require compiles it on the fly (only here, when osls resolves).
  const { require: requireTs } = require('tsx/cjs/api');
  const { validateMeshSpec } = requireTs(path.join(ROOT, 'layers/domain/spec/load.ts'), path.join(__dirname, 'mesh-clusters.js'));
  const result = validateMeshSpec({ path: path.resolve(ROOT, String(specPath)) });
  if (!result.ok) {
    throw new Error(`${specPath} is not a valid mesh spec:\n${result.issues.map((i) => `  ${i.path}: ${i.message}`).join('\n')}`);
  }
  return result.spec;
}

/**
 * Every ECS cluster whose tasks can belong to the mesh (services, ingress, Consul servers), sorted, from a
 * validated spec (defaults filled in). The same rule as layers/churn/mesh-clusters.ts (meshClusterNames), which the
 * handler's quick exit uses; a unit test holds the two equal. (Loading that file through tsx here would work under
 * osls, but not under jest, which has its own module loader.)
 */
function clusterNamesOf(spec) {
  const names = new Set(spec.clusters.map((cluster) => cluster.name));
  names.add(spec.consul.servers.cluster);
  if (spec.ingress) names.add(spec.ingress.cluster);
  return [...names].sort();
}

/**
 * EventBridge pattern values for `detail.clusterArn`. Suffix matching names each cluster without the account id
 * (not resolvable offline): a rule on a region's default bus only receives that account's and region's ECS events,
 * where a cluster name is unique.
 */
function clusterArnPatternsOf(names) {
  return names.map((name) => ({ suffix: `:cluster/${name}` }));
}

module.exports = {
  clusterNamesOf,
  clusterArnPatternsOf,
  async clusterNames({ resolveVariable }) {
    return clusterNamesOf(await loadSpec(resolveVariable));
  },
  async clusterArnPatterns({ resolveVariable }) {
    return clusterArnPatternsOf(clusterNamesOf(await loadSpec(resolveVariable)));
  },
  /**
   * The clusters' ARNs (any account) for IAM: ecs:ListTasks and ecs:DescribeTasks are scoped with the condition key
   * `ecs:cluster`, as the other functions of serverless.yml do.
   */
  async clusterResourceArns({ resolveVariable }) {
    const region = await resolveVariable('aws:region');
    return clusterNamesOf(await loadSpec(resolveVariable)).map((name) => `arn:aws:ecs:${region}:*:cluster/${name}`);
  },
  /** The Consul server cluster's ARN (any account): the one cluster the servers' cloud auto-join lists. */
  async serverClusterResourceArn({ resolveVariable }) {
    const region = await resolveVariable('aws:region');
    return `arn:aws:ecs:${region}:*:cluster/${(await loadSpec(resolveVariable)).consul.servers.cluster}`;
  },
};
