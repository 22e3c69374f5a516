import type { HistoryEvent } from '@aws-sdk/client-sfn';
import type { SfnApi } from '../adapters/sfn';
import { ConcurrentOperationError, NotFoundError } from '../errors';
import { AlreadyEndedError } from '../errors';
import type { DeploymentBackend, DeploymentDescription, DeploymentListing, DeploymentStatus, ListFilter, StartRequest, StartedDeployment } from './backend';
import { executionMeshPart, executionName, isDeploymentId, meshPartIsCut, parseExecutionName } from './execution-name';
import { decideStart, describeRefusal } from './start-decision';
import { parseJson } from './json';

/** One page of deployments and the token of the next, if any. */
export interface DeploymentListPage {
  items: DeploymentListing[];
  nextToken?: string;
}

/** The Step Functions calls the deployments make. */
export type DeploymentsSfn = Pick<SfnApi, 'startExecution' | 'describeExecution' | 'stopExecution' | 'historyPages' | 'listExecutionsPage'>;

export interface StepFunctionsBackendOptions {
  sfn: DeploymentsSfn;
  stateMachineArn: string;
  /**
   * Events per GetExecutionHistory page. Polls read newest-first pages until they reach the last event already
   * seen, so a small page keeps each poll cheap; Step Functions allows up to 1000.
   */
  historyPageSize?: number;
  /** ListExecutions pages to read at most when searching for a mesh's deployments (100 executions a page). */
  maxListPages?: number;
}

/**
 * Deployments as Step Functions executions of the deploy state machine: no other store. The id `describe` and
 * `history` take is the execution ARN; the execution name carries the mesh, the spec hash and the deployment id.
 */
export class StepFunctionsBackend implements DeploymentBackend {
  private readonly sfn: DeploymentsSfn;
  private readonly stateMachineArn: string;
  private readonly pageSize: number;
  private readonly maxListPages: number;

  constructor(options: StepFunctionsBackendOptions) {
    this.sfn = options.sfn;
    this.stateMachineArn = options.stateMachineArn;
    this.pageSize = options.historyPageSize ?? 200;
    this.maxListPages = options.maxListPages ?? 20;
  }

  async start(request: StartRequest): Promise<StartedDeployment> {
    const running = await this.runningOfMesh(request.mesh);
    const decision = decideStart(running, request.specHash12);
    if (decision.kind === 'refuse') throw new ConcurrentOperationError(describeRefusal(request.mesh, decision.running));
    if (decision.kind === 'attach') {
      const { id, name } = decision.running;
      return { id, name, deploymentId: decision.running.deploymentId ?? request.deploymentId, attached: true };
    }
    const name = executionName(request.mesh, request.specHash12, request.deploymentId);
    const started = await this.sfn.startExecution({ stateMachineArn: this.stateMachineArn, name, input: JSON.stringify(request.input) });
    if (!started.executionArn) throw new Error('StartExecution answered without an executionArn');
    return { id: started.executionArn, name, deploymentId: request.deploymentId, attached: false };
  }

  async describe(id: string): Promise<DeploymentDescription> {
    const out = await this.sfn.describeExecution(id);
    return toDescription(id, out);
  }

  /** StopExecution; the lock it held is taken over by the next deployment (its holder no longer runs). */
  async cancel(id: string): Promise<void> {
    const description = await this.describe(id);
    if (description.status !== 'RUNNING') throw new AlreadyEndedError(`deployment ${description.deploymentId ?? description.name} has already ended (${description.status})`);
    await this.sfn.stopExecution(id, { error: 'Cancelled', cause: 'cancelled with meshctl cancel' });
  }

  async history(id: string, afterEventId: number): Promise<HistoryEvent[]> {
    // Newest first, page after page, until an event already seen turns up: each poll reads only the new events
    // (plus at most one page of overlap) however long the execution has run (up to 25,000 events).
    const fresh: HistoryEvent[] = [];
    pages: for await (const page of this.sfn.historyPages({ executionArn: id, reverseOrder: true, pageSize: this.pageSize, includeExecutionData: true })) {
      for (const event of page) {
        if ((event.id ?? 0) <= afterEventId) break pages;
        fresh.push(event);
      }
    }
    return fresh.sort((a, b) => (a.id ?? 0) - (b.id ?? 0));
  }

  async list(filter: ListFilter): Promise<DeploymentListing[]> {
    const found: DeploymentListing[] = [];
    let nextToken: string | undefined;
    let pages = 0;
    do {
      const page = await this.listPage({ mesh: filter.mesh, status: filter.status, nextToken });
      for (const item of page.items) {
        found.push(item);
        if (filter.limit !== undefined && found.length >= filter.limit) return found;
      }
      nextToken = page.nextToken;
      pages += 1;
    } while (nextToken && pages < this.maxListPages);
    return found;
  }

  /**
   * One ListExecutions page (newest first), kept to this mesh's deployments when `mesh` is given: a page may hold
   * fewer than `maxResults` items while more follow (`nextToken`), since the mesh is only known from each name.
   */
  async listPage(request: { mesh?: string; status?: DeploymentStatus; maxResults?: number; nextToken?: string }): Promise<DeploymentListPage> {
    const meshPart = request.mesh === undefined ? undefined : executionMeshPart(request.mesh);
    const page = await this.sfn.listExecutionsPage({ stateMachineArn: this.stateMachineArn, statusFilter: request.status, maxResults: request.maxResults ?? 100, nextToken: request.nextToken });
    const items: DeploymentListing[] = [];
    for (const item of page.executions ?? []) {
      if (!item.executionArn || !item.name) continue;
      const parsed = parseExecutionName(item.name);
      if (meshPart !== undefined && parsed?.meshPart !== meshPart) continue;
      items.push({
        id: item.executionArn,
        name: item.name,
        status: (item.status ?? 'RUNNING') as DeploymentStatus,
        startedAt: item.startDate,
        stoppedAt: item.stopDate,
        deploymentId: parsed?.deploymentId,
        specHash12: parsed?.specHash12,
      });
    }
    return { items, nextToken: page.nextToken };
  }

  async resolveId(reference: string): Promise<string> {
    if (reference.startsWith('arn:')) return reference;
    if (isDeploymentId(reference)) {
      const suffix = reference.slice(2);
      const all = await this.list({});
      const match = all.find((d) => d.deploymentId === reference || d.name.endsWith(`-${suffix}`));
      if (!match) throw new NotFoundError(`no execution of ${this.stateMachineArn} belongs to deployment ${reference}`);
      return match.id;
    }
    // An execution name: its ARN is the state machine's with `execution` in place of `stateMachine`.
    return `${this.stateMachineArn.replace(':stateMachine:', ':execution:')}:${reference}`;
  }

  /**
   * The running executions of a mesh. A mesh name cut to fit the execution name may be shared by another mesh,
   * so for such names each candidate's input is read to confirm its `spec.name`.
   */
  private async runningOfMesh(mesh: string): Promise<DeploymentListing[]> {
    const candidates = await this.list({ mesh, status: 'RUNNING' });
    if (!meshPartIsCut(mesh)) return candidates;
    const confirmed: DeploymentListing[] = [];
    for (const candidate of candidates) {
      const described = await this.describe(candidate.id);
      if (described.mesh === mesh) confirmed.push(candidate);
    }
    return confirmed;
  }
}

function toDescription(id: string, out: Awaited<ReturnType<SfnApi['describeExecution']>>): DeploymentDescription {
  const input = parseJson(out.input);
  const inputFields = isRecord(input) ? input : {};
  const spec = isRecord(inputFields.spec) ? inputFields.spec : {};
  const name = out.name ?? id.slice(id.lastIndexOf(':') + 1);
  return {
    id: out.executionArn ?? id,
    name,
    status: (out.status ?? 'RUNNING') as DeploymentStatus,
    deploymentId: typeof inputFields.deploymentId === 'string' ? inputFields.deploymentId : parseExecutionName(name)?.deploymentId,
    mesh: typeof spec.name === 'string' ? spec.name : undefined,
    startedAt: out.startDate,
    stoppedAt: out.stopDate,
    output: parseJson(out.output),
    error: out.error,
    cause: out.cause,
  };
}


function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
