import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { readSubmittedSpec } from '../../../layers/api/deployments';

/** A spec sent to the wrong orchestrator's API: with two regions (examples/multi-region/), each has its own. */
const ROOT = join(__dirname, '../../..');
const body = (file: string) => {
  const text = readFileSync(join(ROOT, file), 'utf8');
  return { text, bytes: Buffer.byteLength(text), mediaType: 'application/yaml' };
};

describe('a spec of another mesh sent to an orchestrator', () => {
  it("names this orchestrator's region and the one the spec is for, so the other region's API can be found", () => {
    expect(() => readSubmittedSpec(body('examples/multi-region/west.yaml'), { meshName: 'east-mesh', stackLimits: { region: 'us-east-1' } })).toThrow(
      'the spec names another mesh: name: must be "east-mesh": this orchestrator (us-east-1) deploys that mesh ("west-mesh" is for eu-west-1: send it to the API of the stack in eu-west-1)',
    );
  });

  it('names the mesh alone when the spec is for this region', () => {
    const refusal = (() => {
      try {
        readSubmittedSpec(body('examples/multi-region/east.yaml'), { meshName: 'reference-mesh', stackLimits: { region: 'us-east-1' } });
      } catch (error) {
        return (error as Error).message;
      }
    })();
    expect(refusal).toBe('the spec names another mesh: name: must be "reference-mesh": this orchestrator (us-east-1) deploys that mesh');
  });
});
