/**
 * One deployment through the real Step Functions client, timed from the moment StartExecution is sent to the
 * execution's stop date, with its history kept as a timeline.
 */
import { DescribeExecutionCommand, GetExecutionHistoryCommand, SFNClient, StartExecutionCommand, type HistoryEvent } from '@aws-sdk/client-sfn';
import type { LocalCloud } from '@consul-mesh/local-cloud';
import { allStates, type AslDefinition } from './asl';
import { toTimeline, type TimelineEvent } from './timeline';

export type DeploymentMeasurement = {
  status: string;
  error?: string;
  cause?: string;
  /** StartExecution sent → the execution's `stopDate`, on this process's clock. */
  wallMs: number;
  /** The summary's `noChange`: true when the deployment found nothing to change. */
  noChange?: boolean;
  timeline: TimelineEvent[];
  /** Each Map's items, labelled (an image's or a cluster's name), by Map state name. */
  mapItems: Record<string, string[]>;
};

/** The deployment did not end within the scenario's time. */
export class DeploymentTimedOut extends Error {
  override readonly name = 'DeploymentTimedOut';
}

/** How often DescribeExecution is polled; it bounds only when the client learns of the end, not the figure. */
const DESCRIBE_INTERVAL_MS = 20;

let counter = 0;

export function sfnClient(cloud: LocalCloud): SFNClient {
  return new SFNClient({ endpoint: cloud.endpoints.aws, region: cloud.config.region, credentials: { accessKeyId: 'test', secretAccessKey: 'test' } });
}

/** Deploys `spec` with the deploy state machine and waits (bounded) for the execution to end. */
export async function runDeployment(
  cloud: LocalCloud,
  sfn: SFNClient,
  spec: Record<string, unknown>,
  options: { settings: { pollSeconds: number; maxRounds: number }; timeoutMs: number; definition: AslDefinition },
): Promise<DeploymentMeasurement> {
  counter += 1;
  const deploymentId = `d-bench-${Date.now().toString(36)}-${counter}`;
  const sentAt = Date.now();
  const { executionArn } = await sfn.send(
    new StartExecutionCommand({
      stateMachineArn: cloud.stateMachines.deployMesh,
      name: `${String(spec.name)}-${deploymentId}`,
      input: JSON.stringify({ deploymentId, spec, settings: options.settings }),
    }),
  );
  const deadline = sentAt + options.timeoutMs;
  let described = await sfn.send(new DescribeExecutionCommand({ executionArn }));
  while (described.status === 'RUNNING') {
    if (Date.now() > deadline) throw new DeploymentTimedOut(`deployment ${deploymentId} still RUNNING after ${options.timeoutMs} ms`);
    await new Promise((resolve) => setTimeout(resolve, DESCRIBE_INTERVAL_MS));
    described = await sfn.send(new DescribeExecutionCommand({ executionArn }));
  }
  const history = await fullHistory(sfn, executionArn as string);
  const output = described.output ? (JSON.parse(described.output) as { noChange?: unknown }) : undefined;
  return {
    status: described.status ?? 'UNKNOWN',
    error: described.error,
    cause: described.cause,
    wallMs: (described.stopDate?.getTime() ?? Date.now()) - sentAt,
    noChange: typeof output?.noChange === 'boolean' ? output.noChange : undefined,
    timeline: toTimeline(history),
    mapItems: mapItemLabels(history, options.definition),
  };
}

async function fullHistory(sfn: SFNClient, executionArn: string): Promise<HistoryEvent[]> {
  const events: HistoryEvent[] = [];
  let nextToken: string | undefined;
  do {
    const page = await sfn.send(new GetExecutionHistoryCommand({ executionArn, maxResults: 1000, nextToken }));
    events.push(...(page.events ?? []));
    nextToken = page.nextToken;
  } while (nextToken);
  return events;
}

/**
 * Labels for each Map's items, read from the Map's input (`ItemsPath` of the ASL): `name` for an image, `cluster`
 * for a service cluster, else the index.
 */
export function mapItemLabels(history: readonly HistoryEvent[], definition: AslDefinition): Record<string, string[]> {
  const states = allStates(definition);
  const labels: Record<string, string[]> = {};
  for (const event of history) {
    const details = event.stateEnteredEventDetails;
    if (event.type !== 'MapStateEntered' || !details?.name || !details.input) continue;
    const itemsPath = states.get(details.name)?.ItemsPath ?? '$';
    const items = readPath(JSON.parse(details.input), itemsPath);
    if (!Array.isArray(items)) continue;
    labels[details.name] = items.map((item: unknown, index) => labelOf(item) ?? `#${index}`);
  }
  return labels;
}

/** A `$.a.b` reference path (no indexes or filters: the deploy machine's ItemsPaths are plain). */
function readPath(value: unknown, path: string): unknown {
  let current = value;
  for (const key of path.replace(/^\$\.?/, '').split('.').filter(Boolean)) {
    if (current === null || typeof current !== 'object') return undefined;
    current = (current as Record<string, unknown>)[key];
  }
  return current;
}

function labelOf(item: unknown): string | undefined {
  if (item === null || typeof item !== 'object') return undefined;
  const { name, cluster } = item as { name?: unknown; cluster?: unknown };
  if (typeof name === 'string') return name;
  if (typeof cluster === 'string') return cluster;
  return undefined;
}
