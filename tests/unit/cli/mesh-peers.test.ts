import type { MeshView } from '../../../layers/api/mesh';
import { renderMesh } from '../../../cli/mesh';

/** `meshctl mesh` lists the mesh's peerings: state, imported and exported services. */
describe('meshctl mesh: peers', () => {
  const view: MeshView = { mesh: 'east-mesh', consul: { leader: '10.0.0.4:8300', peers: ['10.0.0.4:8300'] }, clusters: [] };

  it('shows one row per peer with its state and the services imported from it and exported to it', () => {
    const lines = renderMesh({
      ...view,
      peers: [
        { name: 'west', mesh: 'west-mesh', region: 'eu-west-1', role: 'acceptor', state: 'ACTIVE', importedServices: ['todos'], exportedServices: ['activities', 'users'] },
        { name: 'south', mesh: 'south-mesh', region: 'sa-east-1', role: 'dialer', state: 'UNDEFINED', importedServices: [], exportedServices: [] },
      ],
    });
    const header = lines.findIndex((line) => line.startsWith('PEER'));
    expect(header).toBeGreaterThan(0);
    expect(lines[header].split(/\s{2,}/)).toEqual(['PEER', 'MESH', 'ROLE', 'STATE', 'IMPORTED', 'EXPORTED']);
    expect(lines[header + 1].split(/\s{2,}/)).toEqual(['west', 'west-mesh (eu-west-1)', 'acceptor', 'ACTIVE', 'todos', 'activities, users']);
    expect(lines[header + 2].split(/\s{2,}/)).toEqual(['south', 'south-mesh (sa-east-1)', 'dialer', 'UNDEFINED', '-', '-']);
  });

  it('shows no peers table for a mesh without peers', () => {
    expect(renderMesh(view).some((line) => line.startsWith('PEER'))).toBe(false);
  });
});
