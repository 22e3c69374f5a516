import type { Cluster, Service, TaskDefinition } from '@aws-sdk/client-ecs';
import type { EcrApi } from '../adapters/ecr';
import type { SsmApi } from '../adapters/ssm';
import type { ConsulApi } from '../adapters/consul';
import type { EcsApi } from '../adapters/ecs';
import { buildConfigEntries } from '../domain/consul/config-entries';
import { deployStages, meshClusters, resolveTarget } from '../domain/ecs/targets';
import { clusterNameFromArn, configParameterNames, meshParameterPrefix, parseTaskDefinitionRef, TAG } from '../domain/naming';
import type { MeshSpec } from '../domain/spec/schema';
import { ConsulUnavailableError, isConsulAclDenied } from '../errors';
import { planImages } from './images';
import { wantedSecretNames } from './wanted-secrets';
import { peeringTokenParameter, tokenRequestParameter } from './peering';
import { removedPeers } from './peering-stage';
import { markedPeers } from './peering';

/** An ECS cluster the spec names or the mesh's tag marks as its own. */
export interface ClusterState {
  name: string;
  status: string;
  /** Tagged `consul-mesh:mesh=<mesh>`: the mesh created it, so a deployment may remove it. */
  owned: boolean;
}

/** An ECS service (not INACTIVE) in one of those clusters. */
export interface ServiceState {
  cluster: string;
  service: Service;
  /** Tagged with the mesh: created by a deployment of this mesh. */
  owned: boolean;
}

/** A task-definition family of the mesh: its latest ACTIVE revision (as DescribeTaskDefinition gives it) and all ACTIVE ones. */
export interface FamilyState {
  family: string;
  latest?: TaskDefinition;
  /** ACTIVE revision ARNs, newest first. */
  activeArns: string[];
  /** The latest revision carries the mesh's tag (the family is the mesh's, not a namesake's). */
  owned: boolean;
}

/** A parameter under the mesh's prefix, or a secret the spec names elsewhere. Secrets by name only, never a value. */
export interface ParameterState {
  name: string;
  type: string;
  /** Only for `String` parameters (rendered configuration). */
  value?: string;
}

/** An image of the spec built from a context: its ECR repository URI and whether the content tag is already pushed. */
export interface ImageState {
  name: string;
  repositoryUri?: string;
  exists: boolean;
}

/** A config entry the spec wants or the mesh wrote before (its SSM copy names it). */
export interface ConfigEntryState {
  kind: string;
  name: string;
  /** What Consul holds; undefined when Consul has no such entry. */
  entry?: Record<string, unknown>;
}

/**
 * What the mesh owns now, read with read-only calls: the input of `computeChangeSet`. Plain JSON apart from the ECS
 * shapes (dates), so a test builds one as a fixture.
 */
export interface MeshState {
  mesh: string;
  clusters: ClusterState[];
  services: ServiceState[];
  families: FamilyState[];
  parameters: ParameterState[];
  images: ImageState[];
  /**
   * The config entries as Consul holds them; `undefined` when Consul could not be asked (no leader yet, e.g. before
   * the first deployment's servers run): then the SSM copies the mesh keeps of what it wrote stand for them.
   */
  configEntries?: ConfigEntryState[];
  /** The spec the last deployment stored in Consul KV (`consul-mesh/<mesh>/spec`), when Consul answered. */
  deployedSpec?: unknown;
  /**
   * The cluster peerings of the spec's and the deployed spec's peers as Consul reports them (`/v1/peering/<name>`),
   * when Consul answered; a peering Consul does not have, or that the orchestrator's token may not read yet (its
   * policy gets `peering` once the mesh has peers), is absent.
   */
  peerings?: Array<{ name: string; state: string }>;
  /**
   * The peers of the peerings Consul lists (`GET /v1/peerings`) with this mesh's mark (peering.ts's peeringMark):
   * what the mesh made, whatever its deployed spec says; the plan deletes those the spec does not declare.
   */
  markedPeerings?: Array<{ name: string; mesh: string; region: string; role: 'acceptor' | 'dialer' }>;
}

export interface StateReaderDeps {
  ecs: Pick<EcsApi, 'listClusterArns' | 'describeClusters' | 'listServiceArns' | 'describeServices' | 'describeTaskDefinition' | 'listTaskDefinitionArns'>;
  ssm: Pick<SsmApi, 'getParametersByPath' | 'describeParameters'>;
  ecr: Pick<EcrApi, 'describeRepository' | 'describeImages'>;
  /** Absent, or failing with ConsulUnavailable: config entries are read from their SSM copies instead. */
  consul?: () => Promise<Pick<ConsulApi, 'getConfigEntry' | 'kvGet' | 'readPeering' | 'listPeerings'>>;
}

const hasMeshTag = (tags: Array<{ key?: string; value?: string }> | undefined, mesh: string) => (tags ?? []).some((t) => t.key === TAG.mesh && t.value === mesh);

/**
 * Reads what the mesh of `spec` owns now. Every call is a read (List*, Describe*, GetParametersByPath, GET): computing
 * a plan never changes the account.
 *
 * - clusters: ListClusters + DescribeClusters with TAGS; the mesh's are tagged `consul-mesh:mesh=<mesh>`; the spec's
 *   own cluster names are described too (a cluster the mesh did not create is used, never removed);
 * - services: ListServices + DescribeServices with TAGS (10 a call, through the adapter) in each of those clusters;
 * - task definitions: for every family the spec or a mesh service uses, the latest ACTIVE revision and the list of
 *   ACTIVE ones;
 * - SSM: the configuration parameters under `/consul-mesh/<mesh>/config*` with their values, and the secrets by
 *   name only (DescribeParameters);
 * - ECR: each built image's repository and whether its content tag is pushed;
 * - Consul: the config entries the spec wants and those the mesh wrote before, and the deployed spec in KV.
 */
export async function readMeshState(spec: MeshSpec, deps: StateReaderDeps): Promise<MeshState> {
  const clusters = await readClusters(spec, deps.ecs);
  const services = await readServices(clusters, spec.name, deps.ecs);
  const families = await readFamilies(spec, services, deps.ecs);
  const parameters = await readParameters(spec, deps.ssm);
  const images = await readImages(spec, deps.ecr);
  const consul = await readConsul(spec, parameters, deps.consul);
  // What this side keeps in SSM for the peers the spec drops (known only once the deployed spec is read): whether
  // each is stored tells the plan whether their removal deletes anything (compute-change-set.ts).
  const dropped = removedPeers(spec, consul.deployedSpec, consul.markedPeerings).map((p) =>
    p.role === 'acceptor' ? peeringTokenParameter(spec.name, p.mesh) : tokenRequestParameter(spec.name, p.mesh),
  );
  if (dropped.length > 0) {
    for (const p of await deps.ssm.describeParameters(dropped)) if (p.Name) parameters.push({ name: p.Name, type: p.Type ?? 'SecureString' });
    parameters.sort((a, b) => a.name.localeCompare(b.name));
  }
  return { mesh: spec.name, clusters, services, families, parameters, images, ...consul };
}

async function readClusters(spec: MeshSpec, ecs: StateReaderDeps['ecs']): Promise<ClusterState[]> {
  const names = new Set((await ecs.listClusterArns()).map(clusterNameFromArn));
  for (const c of meshClusters(spec)) names.add(c.name);
  const described: Cluster[] = await ecs.describeClusters([...names], { includeTags: true });
  return described
    .filter((c) => c.status === 'ACTIVE' && c.clusterName)
    .map((c) => ({ name: c.clusterName ?? '', status: c.status ?? 'ACTIVE', owned: hasMeshTag(c.tags, spec.name) }))
    .filter((c) => c.owned || meshClusters(spec).some((m) => m.name === c.name))
    .sort((a, b) => a.name.localeCompare(b.name));
}

async function readServices(clusters: ClusterState[], mesh: string, ecs: StateReaderDeps['ecs']): Promise<ServiceState[]> {
  const services: ServiceState[] = [];
  for (const cluster of clusters) {
    const arns = await ecs.listServiceArns(cluster.name);
    if (arns.length === 0) continue;
    for (const service of await ecs.describeServices(cluster.name, arns, { includeTags: true })) {
      if (service.status === 'INACTIVE') continue;
      services.push({ cluster: cluster.name, service, owned: hasMeshTag(service.tags, mesh) });
    }
  }
  return services;
}

async function readFamilies(spec: MeshSpec, services: ServiceState[], ecs: StateReaderDeps['ecs']): Promise<FamilyState[]> {
  const names = new Set(deployStages(spec).flat().map((t) => resolveTarget(spec, t).family));
  for (const s of services) if (s.owned && s.service.taskDefinition) names.add(parseTaskDefinitionRef(s.service.taskDefinition).family);
  const families: FamilyState[] = [];
  for (const family of [...names].sort()) {
    let latest: TaskDefinition | undefined;
    let tags: Array<{ key?: string; value?: string }> | undefined;
    try {
      ({ taskDefinition: latest, tags } = await ecs.describeTaskDefinition(family, { includeTags: true }));
    } catch (error) {
      // ECS answers ClientException "Unable to describe task definition." for a family with no ACTIVE revision.
      if ((error as Error).name !== 'ClientException') throw error;
    }
    const activeArns = latest ? await ecs.listTaskDefinitionArns(family, 'ACTIVE') : [];
    families.push({ family, ...(latest ? { latest } : {}), activeArns, owned: hasMeshTag(tags, spec.name) });
  }
  return families;
}

/**
 * The configuration parameters (`<prefix>/config/...`, `<prefix>/config-entries/...`) with their values, and the
 * secrets the spec needs by name only (DescribeParameters: metadata, never a value). The secrets' paths are not read
 * by path at all: the roles deny GetParametersByPath there (the management token lives under them).
 */
async function readParameters(spec: MeshSpec, ssm: StateReaderDeps['ssm']): Promise<ParameterState[]> {
  const parameters: ParameterState[] = [];
  for (const path of [`${meshParameterPrefix(spec)}/config`, `${meshParameterPrefix(spec)}/config-entries`]) {
    for (const p of await ssm.getParametersByPath(path)) {
      if (!p.Name) continue;
      parameters.push({ name: p.Name, type: p.Type ?? 'String', ...(p.Type === 'String' && p.Value !== undefined ? { value: p.Value } : {}) });
    }
  }
  // The acceptor's peering tokens too, by name only: whether each is stored (peering-stage.ts).
  const tokens = spec.peers.filter((p) => p.role === 'acceptor').map((p) => peeringTokenParameter(spec.name, p.mesh));
  for (const p of await ssm.describeParameters([...wantedSecretNames(spec), ...tokens])) if (p.Name) parameters.push({ name: p.Name, type: p.Type ?? 'SecureString' });
  return parameters.sort((a, b) => a.name.localeCompare(b.name));
}

async function readImages(spec: MeshSpec, ecr: StateReaderDeps['ecr']): Promise<ImageState[]> {
  const images: ImageState[] = [];
  for (const job of planImages(spec)) {
    if (!job.repository || !job.tag) continue;
    let repositoryUri: string | undefined;
    try {
      repositoryUri = (await ecr.describeRepository(job.repository))?.repositoryUri;
    } catch (error) {
      if ((error as Error).name !== 'RepositoryNotFoundException') throw error;
    }
    let exists = false;
    if (repositoryUri) {
      try {
        await ecr.describeImages(job.repository, [{ imageTag: job.tag }]);
        exists = true;
      } catch (error) {
        if ((error as Error).name !== 'ImageNotFoundException') throw error;
      }
    }
    images.push({ name: job.name, ...(repositoryUri ? { repositoryUri } : {}), exists });
  }
  return images;
}

/**
 * The config entries the spec wants and those the mesh wrote before (named by their SSM copies
 * `/consul-mesh/<mesh>/config-entries/<kind>/<name>`), as Consul holds them. Consul may not answer yet (its servers
 * are created by this very deployment): then the state has no `configEntries` and the SSM copies stand for them.
 */
async function readConsul(
  spec: MeshSpec,
  parameters: ParameterState[],
  connect: StateReaderDeps['consul'],
): Promise<Pick<MeshState, 'configEntries' | 'deployedSpec' | 'peerings' | 'markedPeerings'>> {
  if (!connect) return {};
  const ids = new Map<string, { kind: string; name: string }>();
  for (const e of buildConfigEntries(spec)) ids.set(`${e.Kind}/${e.Name}`, { kind: e.Kind, name: e.Name });
  for (const p of parameters) {
    const mirrored = configEntryOfParameter(spec, p.name);
    if (mirrored) ids.set(`${mirrored.kind}/${mirrored.name}`, mirrored);
  }
  try {
    const consul = await connect();
    const configEntries: ConfigEntryState[] = [];
    for (const { kind, name } of ids.values()) {
      let entry: Record<string, unknown> | undefined;
      try {
        entry = await consul.getConfigEntry(kind, name);
      } catch (error) {
        // The orchestrator's ACL policy names the services of the deployed spec: a service this deployment adds is
        // not readable yet, and the mesh never wrote its entries. What the mesh wrote (its SSM copy) stands for it.
        if (!isConsulAclDenied(error)) throw error;
        const copy = parameters.find((p) => p.name === configParameterNames(spec).configEntry(kind, name))?.value;
        entry = copy ? (JSON.parse(copy) as Record<string, unknown>) : undefined;
      }
      configEntries.push({ kind, name, ...(entry ? { entry } : {}) });
    }
    const stored = await consul.kvGet(`consul-mesh/${spec.name}/spec`);
    const deployedSpec = stored ? (JSON.parse(stored.value) as unknown) : undefined;
    const peerings: NonNullable<MeshState['peerings']> = [];
    let markedPeerings: NonNullable<MeshState['markedPeerings']> = [];
    try {
      markedPeerings = markedPeers(spec.name, await consul.listPeerings());
    } catch (error) {
      // No `peering` rule in the orchestrator's policy (the mesh never had peers): it made no peering either.
      if (!isConsulAclDenied(error)) throw error;
    }
    for (const name of new Set([...spec.peers, ...removedPeers(spec, deployedSpec, markedPeerings)].map((p) => p.name))) {
      try {
        const peering = await consul.readPeering(name);
        if (peering) peerings.push({ name, state: peering.State });
      } catch (error) {
        // No `peering` rule in the orchestrator's policy yet (the mesh had no peers): it has no peering either.
        if (!isConsulAclDenied(error)) throw error;
      }
    }
    return { configEntries, ...(deployedSpec !== undefined ? { deployedSpec } : {}), peerings, markedPeerings };
  } catch (error) {
    // Consul cannot tell: its servers may not run yet (ConsulUnavailable), or a deployment stopped before the ACL step
    // left a token in SSM that Consul does not know yet (ConsulAclDenied "ACL not found"). The SSM copies of what the
    // mesh wrote stand for the entries; the ACL and config-entry steps still fail loudly on a token that is wrong.
    if (error instanceof ConsulUnavailableError || (error as Error).name === 'ConsulUnavailable' || isConsulAclDenied(error)) return {};
    throw error;
  }
}

/** `/consul-mesh/<mesh>/config-entries/<kind>/<name>` → kind and name; anything else → undefined. */
export function configEntryOfParameter(spec: Pick<MeshSpec, 'name'>, parameter: string): { kind: string; name: string } | undefined {
  const prefix = configParameterNames(spec).configEntry('', '').replace(/\/+$/, '');
  if (!parameter.startsWith(`${prefix}/`)) return undefined;
  const rest = parameter.slice(prefix.length + 1);
  const cut = rest.indexOf('/');
  return cut > 0 ? { kind: rest.slice(0, cut), name: rest.slice(cut + 1) } : undefined;
}
