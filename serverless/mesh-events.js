'use strict';
/**
 * Serverless Framework variable source: the EventBridge pattern that selects the mesh's ECS task state changes.
 *
 *   detail: { taskDefinitionArn: ${file(./serverless/mesh-events.js):taskDefinitionArnPatterns} }
 *
 * Every task of a mesh runs a task definition of one of its families, all named `<mesh>-<...>`
 * (layers/domain/naming.ts: serviceFamily, serverFamily, ingressFamily). Matching the family rather than a list of
 * clusters makes the rule follow the deployed spec: a cluster a later deployment adds gets its task events at once,
 * with no rule to update and nothing fixed at `serverless package` time. The handler then keeps only the tasks of
 * the deployed spec's clusters and services (layers/churn/mesh-clusters.ts), so a mesh whose name is a prefix of
 * another's (`shop` and `shop-eu`) costs an invocation, never a wrong registration.
 *
 * osls (lib/configuration/variables/sources/file.js) `require`s this file and, for `:<property>`, calls the
 * exported function with `{ options, resolveVariable, resolveConfigurationProperty }`; what it returns (a promise
 * is awaited) becomes the value.
 */

/**
 * EventBridge pattern values for `detail.taskDefinitionArn`: a `wildcard` on the family part of the ARN, with the
 * account, region and revision left open (not resolvable offline; a rule on a region's default bus only receives
 * that account's and region's events). Mesh names are DNS labels, so they hold no character the wildcard syntax
 * treats specially (`*`, `\`).
 */
function taskDefinitionArnPatternsOf(meshName) {
  if (!/^[a-z0-9-]+$/.test(String(meshName))) throw new Error(`not a mesh name: ${JSON.stringify(meshName)}`);
  return [{ wildcard: `*:task-definition/${meshName}-*` }];
}

module.exports = {
  taskDefinitionArnPatternsOf,
  async taskDefinitionArnPatterns({ resolveVariable }) {
    return taskDefinitionArnPatternsOf(await resolveVariable('param:meshName'));
  },
};
