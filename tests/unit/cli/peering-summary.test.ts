import type { MeshView } from '../../../layers/api/mesh';
import { peeringSettled, renderPeeringSummary } from '../../../cli/peering-summary';

/** The peering block `npm start` prints after deploying two peered meshes. */
describe('npm start: the peering summary', () => {
  type Peer = NonNullable<MeshView['peers']>[number];
  const east = (peer: Partial<Peer> = {}): MeshView => ({
    mesh: 'east-mesh',
    consul: { leader: '10.0.0.4:8300', peers: [] },
    clusters: [],
    peers: [{ name: 'west', mesh: 'west-mesh', region: 'eu-west-1', role: 'acceptor', state: 'ACTIVE', importedServices: ['todos'], exportedServices: [], ...peer }],
  });
  const west = (peer: Partial<Peer> = {}): MeshView => ({
    mesh: 'west-mesh',
    consul: { leader: '10.0.0.5:8300', peers: [] },
    clusters: [],
    peers: [{ name: 'east', mesh: 'east-mesh', region: 'us-east-1', role: 'dialer', state: 'ACTIVE', importedServices: [], exportedServices: ['todos'], ...peer }],
  });

  it('is settled once both sides are ACTIVE and each imports what the other exports to it', () => {
    expect(peeringSettled([east(), west()])).toBe(true);
    expect(peeringSettled([east({ state: 'PENDING' }), west()])).toBe(false);
    expect(peeringSettled([east({ importedServices: [] }), west()])).toBe(false);
    expect(peeringSettled([east(), west({ state: 'FAILING' })])).toBe(false);
  });

  /** Each API answers its views in turn (the last one again once they run out). */
  function apis(answers: Record<string, MeshView[]>) {
    const calls: string[] = [];
    const fetchFake = (async (url: string) => {
      calls.push(url);
      const list = answers[new URL(url).origin];
      const view = list.length > 1 ? list.shift() : list[0];
      return new Response(JSON.stringify(view), { status: 200, headers: { 'content-type': 'application/json' } });
    }) as unknown as typeof fetch;
    return { calls, deps: { env: {}, fetch: fetchFake, sleep: async () => undefined } };
  }

  it('waits for the acceptor\'s side and the imports, then shows each mesh\'s peers', async () => {
    const { calls, deps } = apis({ 'http://127.0.0.1:3000': [east({ state: 'PENDING', importedServices: [] }), east()], 'http://127.0.0.1:3010': [west()] });
    const lines = await renderPeeringSummary(
      [
        { apiUrl: 'http://127.0.0.1:3000', token: 't' },
        { apiUrl: 'http://127.0.0.1:3010', token: 't' },
      ],
      deps,
    );
    expect(calls.filter((url) => url.endsWith('/mesh'))).toHaveLength(4);
    expect(lines[0]).toBe('Cluster peering: every peering ACTIVE, each mesh importing what its peer exports to it.');
    const rows = lines.filter((line) => /^ {2}(east|west) /.test(line)).map((line) => line.trim().split(/\s{2,}/));
    expect(rows).toEqual([
      ['west', 'west-mesh (eu-west-1)', 'acceptor', 'ACTIVE', 'todos', '-'],
      ['east', 'east-mesh (us-east-1)', 'dialer', 'ACTIVE', '-', 'todos'],
    ]);
    expect(lines).toContain('Mesh "east-mesh":');
    expect(lines).toContain('Mesh "west-mesh":');
  });

  it('says so when the peering has not settled in time, with the states as they are', async () => {
    let clock = 0;
    const { deps } = apis({ 'http://a:1': [east({ state: 'FAILING' })], 'http://b:1': [west({ state: 'FAILING' })] });
    const lines = await renderPeeringSummary([{ apiUrl: 'http://a:1', token: 't' }, { apiUrl: 'http://b:1', token: 't' }], deps, { timeoutMs: 1000, now: () => (clock += 300) });
    expect(lines[0]).toMatch(/^Cluster peering: not settled yet/);
    expect(lines.join('\n')).toMatch(/west\s+west-mesh \(eu-west-1\)\s+acceptor\s+FAILING/);
  });

  it('prints nothing for meshes without peers', async () => {
    const { deps } = apis({ 'http://a:1': [{ ...east(), peers: [] }], 'http://b:1': [{ ...west(), peers: undefined }] });
    expect(await renderPeeringSummary([{ apiUrl: 'http://a:1', token: 't' }, { apiUrl: 'http://b:1', token: 't' }], deps)).toEqual([]);
  });
});
