import { clusteredMeshSpec, EVENT_PATH_COUNTS, referenceMeshSpec, scaleSpec, totalTasks } from '../../../bench/churn/specs';
import { meshServices } from '../../../bench/churn/mesh-state';
import { SpecInvalidError } from '../../../layers/errors';

describe('the churn benchmark meshes', () => {
  it('scales the reference topology to 1,000 tasks, keeping its clusters, upstreams and gateway', () => {
    const spec = referenceMeshSpec();

    expect(totalTasks(EVENT_PATH_COUNTS)).toBe(1000);
    expect(meshServices(spec)).toEqual([
      { cluster: 'cluster-1', service: 'users', desiredCount: 250 },
      { cluster: 'cluster-1', service: 'activities', desiredCount: 250 },
      { cluster: 'cluster-2', service: 'todos', desiredCount: 250 },
      { cluster: 'cluster-2', service: 'notifications', desiredCount: 200 },
      { cluster: 'ingress', service: 'ingress-gateway', desiredCount: 50 },
    ]);
    expect(spec.clusters[0].services[0].upstreams).toEqual([{ service: 'todos', localBindPort: 1234 }]);
  });

  it('builds 20 clusters of one 500-task service each, each with the next as upstream', () => {
    const spec = clusteredMeshSpec(20, 500);

    const services = meshServices(spec);
    expect(services).toHaveLength(20);
    expect(services.every((s) => s.desiredCount === 500)).toBe(true);
    expect(new Set(services.map((s) => s.cluster)).size).toBe(20);
    expect(spec.clusters[19].services[0].upstreams).toEqual([{ service: 'svc-1', localBindPort: 1234 }]);
    expect(spec.ingress).toBeUndefined();
  });

  it('refuses a count for a service the spec does not have', () => {
    expect(() => scaleSpec(referenceMeshSpec(), { payments: 3 })).toThrow(/no service named payments/);
  });

  it('validates the scaled spec with the project schema (a gateway is capped at 100 tasks)', () => {
    expect(() => scaleSpec(referenceMeshSpec(), { 'ingress-gateway': 101 })).toThrow(SpecInvalidError);
  });

  it('rejects a mesh without clusters', () => {
    expect(() => clusteredMeshSpec(0, 10)).toThrow(RangeError);
  });
});
