import { EXECUTION_NAME_MAX, executionName, isDeploymentId, newDeploymentId, parseExecutionName, specHashPrefix } from '../../../layers/executions/execution-name';

describe('deployment ids and execution names', () => {
  it('makes deployment ids from the UTC clock and 6 base36 characters', () => {
    expect(newDeploymentId(new Date('2025-03-04T05:06:07.890Z'), () => 'k3x9q0')).toBe('d-20250304050607-k3x9q0');
    const random = newDeploymentId(new Date('2025-03-04T05:06:07Z'));
    expect(random).toMatch(/^d-20250304050607-[0-9a-z]{6}$/);
    expect(isDeploymentId(random)).toBe(true);
    expect(() => newDeploymentId(new Date(), () => 'TOO-LONG')).toThrow(RangeError);
  });

  it('hashes the canonical spec JSON: key order does not matter, content does', () => {
    const a = specHashPrefix({ name: 'shop', clusters: [{ name: 'c1', services: [] }] });
    expect(a).toMatch(/^[0-9a-f]{12}$/);
    expect(specHashPrefix({ clusters: [{ services: [], name: 'c1' }], name: 'shop' })).toBe(a);
    expect(specHashPrefix({ name: 'shop', clusters: [{ name: 'c2', services: [] }] })).not.toBe(a);
  });

  it('names the execution <mesh>-<12 hex of the spec hash>-<deployment id suffix>', () => {
    const name = executionName('shop', 'a1b2c3d4e5f6', 'd-20250304050607-k3x9q0');
    expect(name).toBe('shop-a1b2c3d4e5f6-20250304050607-k3x9q0');
    expect(parseExecutionName(name)).toEqual({ meshPart: 'shop', specHash12: 'a1b2c3d4e5f6', deploymentId: 'd-20250304050607-k3x9q0' });
  });

  it('keeps names within 80 characters of [A-Za-z0-9-_] for the longest mesh names', () => {
    const mesh = `m${'a'.repeat(61)}z`;
    const name = executionName(mesh, 'a1b2c3d4e5f6', 'd-20250304050607-k3x9q0');
    expect(name.length).toBeLessThanOrEqual(EXECUTION_NAME_MAX);
    expect(name).toMatch(/^[A-Za-z0-9_-]+$/);
    expect(parseExecutionName(name)?.deploymentId).toBe('d-20250304050607-k3x9q0');
  });

  it('reads the mesh from the end of the name, so "shop" and "shop-eu" never mix', () => {
    expect(parseExecutionName('shop-eu-a1b2c3d4e5f6-20250304050607-k3x9q0')?.meshPart).toBe('shop-eu');
    expect(parseExecutionName('someone-elses-execution')).toBeUndefined();
  });

  it('refuses malformed parts', () => {
    expect(() => executionName('shop', 'xyz', 'd-20250304050607-k3x9q0')).toThrow(RangeError);
    expect(() => executionName('shop', 'a1b2c3d4e5f6', '20250304050607')).toThrow(RangeError);
  });
});
