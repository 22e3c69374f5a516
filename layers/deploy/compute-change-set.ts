import { buildConfigEntries } from '../domain/consul/config-entries';
import type { ServiceContext, TaskDefinitionContext } from '../domain/ecs/context';
import { show } from '../domain/ecs/diff-task-definition';
import { specHash, stableStringify } from '../domain/ecs/hash';
import { deployStages, meshClusters, resolveTarget } from '../domain/ecs/targets';
import { configParameterNames, meshParameterPrefix, TAG, type MeshRole } from '../domain/naming';
import type { MeshSpec } from '../domain/spec/schema';
import type { ChangeSet, FieldChange, ResourceChange } from './change-set';
import { renderedConfiguration } from './config-store';
import { planImages } from './images';
import type { MeshState } from './mesh-state';
import { configEntryOfParameter } from './mesh-state';
import { configHashes } from './stage';
import { decideService } from './service-decision';
import { wantedSecretNames } from './wanted-secrets';
import { peeringTokenParameter, tokenRequestParameter } from './peering';
import { removedPeers } from './peering-stage';

/** What the plan knows besides the spec and the state: the roles, account and networking of the environment. */
export interface ChangeSetContext {
  taskContext: Omit<TaskDefinitionContext, 'images' | 'configHashes'>;
  serviceContext: Omit<ServiceContext, 'taskDefinition'>;
  /**
   * The ECR registry (`<account>.dkr.ecr.<region>.amazonaws.com`) naming a built image whose repository does not
   * exist yet: the task definition then changes anyway, whatever the exact URI.
   */
  registry: string;
}

/** The reason line of a service change that registers a new task-definition revision. */
export const REGISTERS = 'registers a new task-definition revision';

/** ACTIVE revisions a deployment keeps of a family it still runs: the live one and the previous one (for a rollback). */
export const KEEP_REVISIONS = 2;

/** Consul applies config entries service-defaults first (the others refer to a service's protocol); removal is the reverse. */
const REMOVAL_ORDER = ['service-intentions', 'ingress-gateway', 'service-resolver', 'service-router', 'service-splitter', 'service-defaults', 'proxy-defaults'];

/**
 * The one diff of the orchestrator: what a deployment of `spec` does to the mesh in `state`, resource by resource.
 * Pure (no I/O, no clock): `meshctl plan`, the Plan step, the stages (through `decideService`) and the summary all
 * read its result, so what plan prints is what the deployment does.
 *
 * Order: images, secrets, configuration parameters, clusters, services (servers, mesh services, gateway), config
 * entries; then the removals in the order the removal stage makes them: services (scaled to 0, drained, deleted),
 * the clusters they emptied, config entries (intentions before the service-defaults they refer to), configuration
 * parameters of removed services, old task-definition revisions.
 *
 * Launch type and network mode are refused, not replaced: both are mesh-wide (`network.*`), so a replacement would
 * recreate every service including the Consul servers, whose Raft data lives in their tasks, and a service cannot be
 * recreated under its own name before the old one is INACTIVE (ECS keeps a DRAINING service's name): the mesh would
 * lose its servers' state and its traffic at once. The refusal says how to do it safely instead.
 */
export function computeChangeSet(spec: MeshSpec, state: MeshState, context: ChangeSetContext): ChangeSet {
  const changes: ResourceChange[] = [];
  const refused: string[] = [];
  const params = new Map(state.parameters.map((p) => [p.name, p]));

  // Images: a built image exists in ECR under its content tag, or CodeBuild builds it.
  const imageState = new Map(state.images.map((i) => [i.name, i]));
  const images: Record<string, string> = {};
  for (const job of planImages(spec)) {
    if (!job.repository || !job.tag) {
      images[job.name] = job.image ?? '';
      continue;
    }
    const found = imageState.get(job.name);
    images[job.name] = `${found?.repositoryUri ?? `${context.registry}/${job.repository}`}:${job.tag}`;
    changes.push({
      kind: 'image',
      id: job.name,
      action: found?.exists ? 'unchanged' : 'create',
      reasons: found?.exists ? [] : [`no image ${job.repository}:${job.tag} in ECR: CodeBuild builds it`],
    });
  }

  // Secrets: created once when missing, never updated by a deployment.
  for (const name of wantedSecretNames(spec)) {
    const exists = params.has(name);
    changes.push({ kind: 'secret', id: name, action: exists ? 'unchanged' : 'create', reasons: exists ? [] : ['does not exist: generated once'] });
  }

  // Rendered configuration in SSM (consul.hcl, dataplane configs, config-entry copies).
  const rendered = renderedConfiguration(spec);
  for (const [name, value] of rendered) {
    const current = params.get(name);
    if (!current) changes.push({ kind: 'parameter', id: name, action: 'create', reasons: ['does not exist'] });
    else if (current.value !== value) changes.push({ kind: 'parameter', id: name, action: 'update', reasons: ['content changed (the tasks that read it roll)'] });
    else changes.push({ kind: 'parameter', id: name, action: 'unchanged', reasons: [] });
  }

  const changedConfig = new Set(changes.filter((c) => c.kind === 'parameter' && c.action !== 'unchanged').map((c) => c.id));
  const configOf = (role: MeshRole, serviceName: string) => (role === 'server' ? configParameterNames(spec).serverHcl : configParameterNames(spec).dataplane(serviceName));

  // Clusters.
  const clusters = new Map(state.clusters.map((c) => [c.name, c]));
  const wantedClusters = new Map<string, MeshRole>();
  for (const c of meshClusters(spec)) if (!wantedClusters.has(c.name)) wantedClusters.set(c.name, c.role);
  for (const [name] of wantedClusters) {
    const exists = clusters.has(name);
    changes.push({ kind: 'cluster', id: name, action: exists ? 'unchanged' : 'create', reasons: exists ? [] : ['does not exist'] });
  }

  // Services, with the stages' own decision.
  const taskContext: TaskDefinitionContext = { ...context.taskContext, images, configHashes: configHashes(spec) };
  const families = new Map(state.families.map((f) => [f.family, f]));
  const services = new Map(state.services.map((s) => [`${s.cluster}/${s.service.serviceName}`, s]));
  const wantedServices = new Set<string>();
  const newRevision = new Map<string, boolean>();
  for (const target of deployStages(spec).flat()) {
    const resolved = resolveTarget(spec, target);
    const id = `${resolved.cluster}/${resolved.serviceName}`;
    wantedServices.add(id);
    const current = services.get(id);
    const decision = decideService(spec, target, { taskContext, serviceContext: context.serviceContext }, { service: current?.service, latest: families.get(resolved.family)?.latest });
    newRevision.set(resolved.family, decision.taskDefinitionDiff.changed);
    const fields = decision.action === 'update' ? decision.reasons.map(fieldOf) : undefined;
    // Said in words, because it is a write of its own (RegisterTaskDefinition) before CreateService/UpdateService.
    const registers = decision.action !== 'unchanged' && decision.taskDefinitionDiff.changed ? [`${REGISTERS} (${resolved.family})`] : [];
    changes.push({
      kind: 'service',
      id,
      action: decision.action,
      reasons: [
        ...(decision.action === 'update' && changedConfig.has(configOf(resolved.role, resolved.serviceName)) ? [`its configuration ${configOf(resolved.role, resolved.serviceName)} changed (rolls its tasks)`] : []),
        ...decision.reasons,
        ...registers,
      ],
      ...(fields ? { fields } : {}),
      cluster: resolved.cluster,
      role: resolved.role,
      desiredCount: resolved.desiredCount,
    });
    for (const change of decision.immutableChanges) {
      refused.push(`service ${id}: ${change}: ECS cannot change a service's ${change.split(':')[0]} in place (UpdateService), and replacing it would recreate every service of the mesh, the Consul servers with their Raft data included; deploy the mesh under a new name with the new setting, move the traffic, then remove the old one`);
    }
    const mode = decision.taskDefinitionDiff.changed && current ? decision.taskDefinitionDiff.reasons.find((r) => r.startsWith('networkMode:')) : undefined;
    if (mode) {
      refused.push(`service ${id}: ${mode}: a service's network configuration cannot move between network modes in place (UpdateService), and the mode is mesh-wide; deploy the mesh under a new name with the new mode instead`);
    }
  }

  // Config entries: compared with what Consul holds, or with the copy the mesh stored in SSM when Consul cannot answer.
  const names = configParameterNames(spec);
  const entries = state.configEntries ? new Map(state.configEntries.map((e) => [`${e.kind}/${e.name}`, e.entry])) : undefined;
  const currentEntry = (kind: string, name: string): Record<string, unknown> | undefined => {
    if (entries) return entries.get(`${kind}/${name}`);
    const copy = params.get(names.configEntry(kind, name))?.value;
    return copy ? (JSON.parse(copy) as Record<string, unknown>) : undefined;
  };
  const wantedEntries = new Set<string>();
  for (const entry of buildConfigEntries(spec)) {
    const id = `${entry.Kind}/${entry.Name}`;
    wantedEntries.add(id);
    const current = currentEntry(entry.Kind, entry.Name);
    if (!current) {
      changes.push({ kind: 'config-entry', id, action: 'create', reasons: ['does not exist'] });
      continue;
    }
    const fields = entryFields(entry as unknown as Record<string, unknown>, current);
    changes.push({ kind: 'config-entry', id, action: fields.length ? 'update' : 'unchanged', reasons: fields.map((f) => `${f.path}: ${show(f.before)} → ${show(f.after)}`), ...(fields.length ? { fields } : {}) });
  }

  changes.push(...peeringChanges(spec, state));

  // Removals. Services first: the removal stage scales them to 0, waits for their tasks to stop, deletes them.
  for (const s of state.services) {
    const id = `${s.cluster}/${s.service.serviceName}`;
    if (!s.owned || wantedServices.has(id)) continue;
    const role = s.service.tags?.find((t) => t.key === TAG.role)?.value as ResourceChange['role'];
    changes.push({ kind: 'service', id, action: 'remove', reasons: ['no longer in the spec: scaled to 0, drained, deleted'], cluster: s.cluster, ...(role ? { role } : {}), desiredCount: 0 });
  }
  for (const c of state.clusters) {
    if (!c.owned || wantedClusters.has(c.name)) continue;
    const foreign = state.services.filter((s) => s.cluster === c.name && !s.owned).map((s) => s.service.serviceName);
    if (foreign.length > 0) {
      // ECS refuses to delete a cluster with services; the mesh never deletes what it did not create.
      changes.push({ kind: 'cluster', id: c.name, action: 'unchanged', reasons: [`no longer in the spec, but it runs services the mesh did not create (${foreign.join(', ')}): kept`] });
      continue;
    }
    changes.push({ kind: 'cluster', id: c.name, action: 'remove', reasons: ['no longer in the spec: deleted once its services are gone'] });
  }
  const ownedEntries = new Map<string, { kind: string; name: string }>();
  for (const p of state.parameters) {
    const entry = configEntryOfParameter(spec, p.name);
    if (entry) ownedEntries.set(`${entry.kind}/${entry.name}`, entry);
  }
  const removedEntries = [...ownedEntries.entries()]
    .filter(([id, e]) => !wantedEntries.has(id) && currentEntry(e.kind, e.name) !== undefined)
    .sort(([, a], [, b]) => rank(a.kind) - rank(b.kind) || a.name.localeCompare(b.name));
  for (const [id, e] of removedEntries) {
    const reason = e.kind === 'service-intentions' ? `no intentions to ${e.name} in the spec any more` : 'no longer in the spec';
    changes.push({ kind: 'config-entry', id, action: 'remove', reasons: [reason] });
  }
  const configPrefixes = [`${meshParameterPrefix(spec)}/config/`, `${meshParameterPrefix(spec)}/config-entries/`];
  for (const p of state.parameters) {
    if (rendered.has(p.name) || !configPrefixes.some((prefix) => p.name.startsWith(prefix))) continue;
    changes.push({ kind: 'parameter', id: p.name, action: 'remove', reasons: ['configuration of a resource no longer in the spec'] });
  }

  // Task-definition revisions: keep the live one and the previous one (a rollback's target), i.e. the newest two once
  // the stages have registered what they register; deregister older ones, and every revision of a family whose
  // service is gone. (The removal stage runs after the stages, with remove.ts's deregisterTaskDefinitions.)
  for (const f of state.families) {
    if (!f.owned) continue;
    const wanted = newRevision.has(f.family);
    const old = wanted ? f.activeArns.slice(newRevision.get(f.family) ? KEEP_REVISIONS - 1 : KEEP_REVISIONS) : f.activeArns;
    if (old.length === 0) continue;
    changes.push({
      kind: 'task-definition',
      id: f.family,
      action: 'remove',
      reasons: [wanted ? `${old.length} revision(s) older than the live and the previous one: deregistered` : 'its service is no longer in the spec: every revision deregistered'],
      fields: old.map((arn) => ({ path: 'revision', before: arn })),
    });
  }

  return {
    mesh: spec.name,
    specHash: specHash(spec),
    changes,
    refused,
    noChange: refused.length === 0 && changes.every((c) => c.action === 'unchanged'),
  };
}

/** Peering states in which a peering of that name lives on (peering.ts): its token was used, or waits to be. */
const LIVE_PEERING = new Set(['PENDING', 'ESTABLISHING', 'ACTIVE', 'FAILING']);

/**
 * The peering stage's changes (peering-stage.ts, with ensurePeerings' and removePeerings' own rules): an acceptor's
 * token is generated unless a live peering of that name exists (and, while PENDING, its token is still stored); a
 * dialer establishes unless its peering lives; the deployed spec's peers the spec dropped are deleted. When Consul
 * could not be asked (`state.peerings` absent: its servers do not run yet), every peer of the spec is created.
 * The renewal of a live acceptor's token whose addresses moved (peering.ts, tokenAddressesStale) is not planned: the
 * addresses it compares are the mesh gateways' WAN addresses after the gateway stage, which in `private` mode are the
 * new tasks' private IPs (unknown until ECS starts them), and the plan would have to decrypt the stored token.
 */
function peeringChanges(spec: MeshSpec, state: MeshState): ResourceChange[] {
  const changes: ResourceChange[] = [];
  const states = new Map((state.peerings ?? []).map((p) => [p.name, p.state]));
  const stored = new Set(state.parameters.map((p) => p.name));
  for (const peer of spec.peers) {
    const current = states.get(peer.name);
    const live = current !== undefined && LIVE_PEERING.has(current);
    if (peer.role === 'acceptor') {
      const parameter = peeringTokenParameter(spec.name, peer.mesh);
      const kept = live && (stored.has(parameter) || current !== 'PENDING');
      // ensureAcceptor deletes a TERMINATED peering first (Consul refuses the dialer's exchange on it), and with it
      // what it imported: said, so the plan does not hide a deletion.
      const terminated = current === 'TERMINATED' ? [`deletes the TERMINATED peering "${peer.name}" (mesh "${peer.mesh}" deleted its side) and the services imported from it`] : [];
      changes.push({
        kind: 'peering',
        id: peer.name,
        action: kept ? 'unchanged' : 'create',
        reasons: kept ? [] : [...terminated, `generates a peering token for mesh "${peer.mesh}" (${peer.region}) and keeps it as a SecureString at ${parameter}, where that mesh's deployment reads it`],
      });
      continue;
    }
    changes.push({
      kind: 'peering',
      id: peer.name,
      action: live ? 'unchanged' : 'create',
      reasons: live
        ? []
        : [
            `establishes the peering with the token mesh "${peer.mesh}" keeps in ${peer.region} (${peeringTokenParameter(peer.mesh, spec.name)}; deploy that mesh with this peer first), then waits until it is ACTIVE`,
          ],
    });
  }
  for (const peer of removedPeers(spec, state.deployedSpec, state.markedPeerings)) {
    // Nothing to remove when Consul was asked and has no such peering, and this side keeps nothing for it in SSM
    // (a dialer whose deployment failed before it established): removePeerings then deletes nothing either.
    const kept = peer.role === 'acceptor' ? peeringTokenParameter(spec.name, peer.mesh) : tokenRequestParameter(spec.name, peer.mesh);
    if (state.peerings !== undefined && !states.has(peer.name) && !stored.has(kept)) continue;
    const token = peer.role === 'acceptor' ? [`its token parameter ${peeringTokenParameter(spec.name, peer.mesh)} deleted`] : [];
    changes.push({ kind: 'peering', id: peer.name, action: 'remove', reasons: [`no longer in the spec: the peering with mesh "${peer.mesh}" (${peer.region}) deleted, the peer's side becomes TERMINATED`, ...token] });
  }
  return changes;
}

function rank(kind: string): number {
  const index = REMOVAL_ORDER.indexOf(kind);
  return index < 0 ? REMOVAL_ORDER.length : index;
}

/** Consul adds CreateIndex/ModifyIndex (and may add defaults): compare only the keys the mesh sets. */
function entryFields(desired: Record<string, unknown>, current: Record<string, unknown>): FieldChange[] {
  const fields: FieldChange[] = [];
  for (const key of Object.keys(desired).sort()) {
    if (stableStringify(desired[key]) !== stableStringify(current[key])) fields.push({ path: key, before: current[key], after: desired[key] });
  }
  return fields;
}

/** `path: before → after` (planService's and diffTaskDefinition's reason lines) as a field change. */
function fieldOf(reason: string): FieldChange {
  const colon = reason.indexOf(': ');
  if (colon < 0) return { path: reason };
  const [before, after] = reason.slice(colon + 2).split(' → ');
  return { path: reason.slice(0, colon), before, ...(after !== undefined ? { after } : {}) };
}

/** Kinds whose creations and updates a compact change set counts rather than lists (their removals are listed). */
const COUNTED_KINDS = new Set<ResourceChange['kind']>(['parameter', 'secret', 'config-entry']);

/** A change set as the Plan step's result carries it (compactChangeSet). */
export type CompactChangeSet = Omit<ChangeSet, 'changes'> & {
  changes: ResourceChange[];
  /** Every change by `kind:action`, the listed ones and the counted ones, unchanged resources included. */
  counts: Record<string, number>;
};

/**
 * The change set as the Plan step's result carries it into the execution history: the images, clusters, services
 * and revisions that change and every removal (kind, id, action, and for services the cluster, role and desired
 * count), without reasons or fields; parameters, secrets and config entries created or updated, and everything
 * unchanged, only counted. A Lambda result is held to Step Functions' 256 KB, and the full change set of the largest
 * spec (100 services with the longest names) comes near it; POST /plans answers it in full.
 */
export function compactChangeSet(set: ChangeSet): CompactChangeSet {
  const counts: Record<string, number> = {};
  for (const c of set.changes) counts[`${c.kind}:${c.action}`] = (counts[`${c.kind}:${c.action}`] ?? 0) + 1;
  const changes = set.changes
    .filter((c) => c.action !== 'unchanged' && (c.action === 'remove' || !COUNTED_KINDS.has(c.kind)))
    .map(({ kind, id, action, cluster, role, desiredCount }) => ({ kind, id, action, reasons: [], ...(cluster !== undefined ? { cluster } : {}), ...(role ? { role } : {}), ...(desiredCount !== undefined ? { desiredCount } : {}) }));
  return { mesh: set.mesh, specHash: set.specHash, changes, counts, refused: set.refused, noChange: set.noChange };
}
