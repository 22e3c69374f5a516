/**
 * startPartialCloud: the one way tests and benchmarks assemble part of the local cloud. It runs exactly the
 * services asked for behind one AWS endpoint, wires ECS's task events to EventBridge as the whole cloud does, and
 * shares one Faults between the services.
 */
import { CreateClusterCommand, ECSClient, RegisterTaskDefinitionCommand, RunTaskCommand } from '@aws-sdk/client-ecs';
import { EventBridgeClient, PutRuleCommand, PutTargetsCommand } from '@aws-sdk/client-eventbridge';
import { GetParameterCommand, PutParameterCommand, SSMClient } from '@aws-sdk/client-ssm';
import { Faults, startPartialCloud, type PartialCloud } from '@consul-mesh/local-cloud';
import { eventually, FAST_DELAYS, fargateTaskDefinition, NETWORK } from './ecs/harness';

const TARGET_ARN = 'arn:aws:lambda:us-east-1:000000000000:function:on-task-event';

/** A rule for every ECS task state change, targeting a function, then one task run on Fargate. */
async function runOneTask(cloud: PartialCloud): Promise<void> {
  const events = new EventBridgeClient(cloud.clientConfig);
  const ecs = new ECSClient(cloud.clientConfig);
  try {
    await events.send(new PutRuleCommand({ Name: 'tasks', EventPattern: JSON.stringify({ source: ['aws.ecs'], 'detail-type': ['ECS Task State Change'] }) }));
    await events.send(new PutTargetsCommand({ Rule: 'tasks', Targets: [{ Id: 'fn', Arn: TARGET_ARN }] }));
    await ecs.send(new CreateClusterCommand({ clusterName: 'c1' }));
    await ecs.send(new RegisterTaskDefinitionCommand(fargateTaskDefinition('web', 'web:1', { healthCheck: false })));
    await ecs.send(new RunTaskCommand({ cluster: 'c1', taskDefinition: 'web', launchType: 'FARGATE', networkConfiguration: NETWORK }));
  } finally {
    events.destroy();
    ecs.destroy();
  }
}

describe('startPartialCloud', () => {
  it('runs only the services asked for, behind one AWS endpoint the real SDK calls', async () => {
    const cloud = await startPartialCloud({ ssm: true });
    const ssm = new SSMClient(cloud.clientConfig);
    const ecs = new ECSClient(cloud.clientConfig);
    try {
      expect(cloud.ssm).toBeDefined();
      expect([cloud.ecs, cloud.ecr, cloud.s3, cloud.events, cloud.consul, cloud.faults]).toEqual([undefined, undefined, undefined, undefined, undefined, undefined]);
      await ssm.send(new PutParameterCommand({ Name: '/a', Value: 'b', Type: 'String' }));
      expect((await ssm.send(new GetParameterCommand({ Name: '/a' }))).Parameter?.Value).toBe('b');
      await expect(ecs.send(new CreateClusterCommand({ clusterName: 'c1' }))).rejects.toMatchObject({ name: 'UnknownOperationException' });
    } finally {
      ssm.destroy();
      ecs.destroy();
      await cloud.close();
    }
  });

  it("delivers ECS's task events through EventBridge's rules, as on AWS", async () => {
    const delivered: unknown[] = [];
    const cloud = await startPartialCloud({ ecs: { delays: FAST_DELAYS }, events: { invokeLambda: async (_arn, event) => void delivered.push(event) } });
    try {
      await runOneTask(cloud);
      await eventually(() => delivered.some((event) => (event as { detail?: { lastStatus?: string } }).detail?.lastStatus === 'RUNNING'));
      expect(delivered[0]).toMatchObject({ source: 'aws.ecs', 'detail-type': 'ECS Task State Change', detail: { clusterArn: expect.stringContaining(':cluster/c1') } });
    } finally {
      await cloud.close();
    }
  });

  it('leaves the task events to the caller when asked (taskEventsToEventBridge: false)', async () => {
    const delivered: unknown[] = [];
    const emitted: unknown[] = [];
    const cloud = await startPartialCloud({
      ecs: { delays: FAST_DELAYS },
      events: { invokeLambda: async (_arn, event) => void delivered.push(event) },
      taskEventsToEventBridge: false,
    });
    try {
      cloud.ecs.subscribe((event) => void emitted.push(event));
      await runOneTask(cloud);
      await eventually(() => emitted.length >= 3);
      await cloud.events.drain();
      expect(delivered).toEqual([]);
    } finally {
      await cloud.close();
    }
  });

  it('shares its faults with the services: a Consul that is down drops connections', async () => {
    const faults = new Faults(1);
    const cloud = await startPartialCloud({ faults, consul: {} });
    try {
      expect(cloud.faults).toBe(faults);
      expect((await fetch(`${cloud.consul.url}/v1/status/leader`)).status).toBe(200);
      faults.takeConsulDown(60_000);
      await expect(fetch(`${cloud.consul.url}/v1/status/leader`)).rejects.toThrow();
    } finally {
      await cloud.close();
    }
  });
});
