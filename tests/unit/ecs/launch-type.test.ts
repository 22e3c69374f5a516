import { isFargateSize, launchTypeIssues } from '../../../layers/domain/ecs';
import { MeshSpecSchema, validateMeshSpec, type MeshSpecInput } from '../../../layers/domain/spec';
import { referenceSpec, specFrom } from './support';

/** A spec through the schema only: the rules would (rightly) refuse the Fargate mistakes these tests look for. */
const schemaOnly = (input: MeshSpecInput) => MeshSpecSchema.parse(input);

describe('launch type checks', () => {
  it('knows Fargate task sizes', () => {
    expect(isFargateSize(256, 512)).toBe(true);
    expect(isFargateSize(256, 1536)).toBe(false);
    expect(isFargateSize(512, 3072)).toBe(true);
    expect(isFargateSize(1024, 1024)).toBe(false);
    expect(isFargateSize(8192, 20480)).toBe(true);
    expect(isFargateSize(8192, 18432)).toBe(false);
    expect(isFargateSize(128, 512)).toBe(false);
  });

  it('finds nothing wrong with the reference mesh', () => {
    expect(launchTypeIssues(referenceSpec())).toEqual([]);
  });

  it('names host mode and odd sizes on Fargate by path, and accepts anything on EC2', () => {
    const input = { name: 'shop', network: { mode: 'host' as const }, clusters: [{ name: 'c1', services: [{ name: 'web', image: 'web:1.0.0', port: 8080, cpu: 128, memory: 300 }] }] };
    const issues = [
      { path: 'network.mode', message: 'Fargate runs tasks in awsvpc network mode only' },
      { path: 'clusters[0].services[0].cpu', message: 'cpu 128 with memory 300 is not a Fargate task size' },
    ];
    expect(launchTypeIssues(schemaOnly(input))).toEqual(issues);
    expect(launchTypeIssues(specFrom({ ...input, network: { mode: 'host', launchType: 'EC2' } }))).toEqual([]);
    // The spec rules run the same check, so such a spec never reaches RegisterTaskDefinition.
    // validate reports them sorted by path.
    expect(validateMeshSpec({ object: input })).toEqual({ ok: false, issues: [issues[1], issues[0]] });
  });
});
