import { loadMeshSpec } from '../../../layers/domain/spec';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseStartOptions, renderExploreHints, renderListenError, specMeshName, StartUsageError } from '../../../cli/start-options';
import { scratchDir } from '../../support/scratch';

/** The reference mesh (examples/mesh.yaml). */
const referenceSpec = () => loadMeshSpec('examples/mesh.yaml');

describe('npm start options', () => {
  it('reads the same settings as npm run local: --data-dir or LOCAL_DATA_DIR, --reset, the LOCAL_*_PORT variables', () => {
    expect(parseStartOptions(['--once'], { LOCAL_DATA_DIR: '.state', LOCAL_AWS_PORT: '0' })).toEqual({
      once: true,
      verbose: false,
      spec: 'examples/mesh.yaml',
      dataDir: '.state',
      reset: false,
      iam: true,
      ports: { aws: 0, consul: 8500, httpApi: 3000 },
      uiPort: 8090,
    });
    expect(parseStartOptions([], { LOCAL_UI_PORT: '0' }).uiPort).toBe(0);
    expect(() => parseStartOptions([], { LOCAL_UI_PORT: 'x' })).toThrow('LOCAL_UI_PORT must be a port number');
    expect(parseStartOptions(['--data-dir', 'x', '--reset', '--spec', 'my.yaml'], {})).toMatchObject({ dataDir: 'x', reset: true, spec: 'my.yaml' });
    // The IAM opt-out, for experiments.
    expect(parseStartOptions(['--no-iam'], {}).iam).toBe(false);
  });

  it('refuses what it cannot honour, naming it', () => {
    expect(() => parseStartOptions(['--reset'], {})).toThrow(expect.objectContaining({ name: 'StartUsage', message: '--reset needs --data-dir <dir> (or LOCAL_DATA_DIR)' }));
    expect(() => parseStartOptions([], { LOCAL_CONSUL_PORT: 'abc' })).toThrow(
      expect.objectContaining({ name: 'StartUsage', message: 'LOCAL_CONSUL_PORT must be a port number (0 to 65535), got "abc"' }),
    );
    expect(() => parseStartOptions(['extra'], {})).toThrow(StartUsageError);
  });

  it('runs a second region only with --peer-region, its Consul on LOCAL_PEER_CONSUL_PORT (8510 by default)', () => {
    expect(parseStartOptions([], {}).peer).toBeUndefined();
    expect(parseStartOptions(['--peer-region', 'eu-west-1'], {}).peer).toEqual({ region: 'eu-west-1', consulPort: 8510, apiPort: 3010 });
    expect(parseStartOptions(['--peer-region', 'eu-west-1'], { LOCAL_PEER_CONSUL_PORT: '0', LOCAL_PEER_API_PORT: '0' }).peer).toEqual({ region: 'eu-west-1', consulPort: 0, apiPort: 0 });
    expect(() => parseStartOptions(['--peer-region', 'mars'], {})).toThrow(
      expect.objectContaining({ name: 'StartUsage', message: '--peer-region must name an AWS region (e.g. eu-west-1), got "mars"' }),
    );
    expect(() => parseStartOptions(['--peer-region', 'eu-west-1'], { LOCAL_PEER_CONSUL_PORT: '99999' })).toThrow(
      expect.objectContaining({ message: 'LOCAL_PEER_CONSUL_PORT must be a port number (0 to 65535), got "99999"' }),
    );
    const inUse = Object.assign(new Error('listen EADDRINUSE'), { code: 'EADDRINUSE', port: 8510 });
    expect(renderListenError(inUse, { aws: 4566, consul: 8500, httpApi: 3000 }, { region: 'eu-west-1', consulPort: 8510, apiPort: 3010 })).toContain('LOCAL_PEER_CONSUL_PORT=<port>');
    const apiInUse = Object.assign(new Error('listen EADDRINUSE'), { code: 'EADDRINUSE', port: 3010 });
    expect(renderListenError(apiInUse, { aws: 4566, consul: 8500, httpApi: 3000 }, { region: 'eu-west-1', consulPort: 8510, apiPort: 3010 })).toContain('LOCAL_PEER_API_PORT=<port>');
    expect(() => parseStartOptions(['--peer-region', 'eu-west-1'], { LOCAL_PEER_API_PORT: 'x' })).toThrow(
      expect.objectContaining({ message: 'LOCAL_PEER_API_PORT must be a port number (0 to 65535), got "x"' }),
    );
  });

  it('deploys a second --spec in the second region: its spec\'s region, or --peer-region', () => {
    const dir = scratchDir('start-options-');
    const west = join(dir, 'west.yaml');
    writeFileSync(west, 'name: west-mesh\nregion: eu-west-1\n');
    const nowhere = join(dir, 'nowhere.yaml');
    writeFileSync(nowhere, 'name: nowhere\n');
    expect(parseStartOptions(['--spec', 'examples/mesh.yaml', '--spec', west], {})).toMatchObject({
      spec: 'examples/mesh.yaml',
      peerSpec: west,
      peer: { region: 'eu-west-1', consulPort: 8510, apiPort: 3010 },
    });
    expect(parseStartOptions(['--spec', 'examples/mesh.yaml', '--spec', nowhere, '--peer-region', 'ap-south-1'], {}).peer?.region).toBe('ap-south-1');
    expect(parseStartOptions(['--spec', 'examples/mesh.yaml'], {}).peerSpec).toBeUndefined();
    expect(() => parseStartOptions(['--spec', 'examples/mesh.yaml', '--spec', nowhere], {})).toThrow(
      expect.objectContaining({ name: 'StartUsage', message: `${nowhere} names no region: give its mesh a region, or pass --peer-region <region>` }),
    );
    expect(() => parseStartOptions(['--spec', 'examples/mesh.yaml', '--spec', 'examples/mesh.yaml'], {})).toThrow(
      'the second region must differ from the first spec\'s (us-east-1): one orchestrator per region',
    );
    expect(() => parseStartOptions(['--spec', 'a.yaml', '--spec', 'b.yaml', '--spec', 'c.yaml'], {})).toThrow('--spec at most twice');
  });

  it('names no port for an error other than a port in use', () => {
    expect(renderListenError(new Error('boom'), { aws: 4566, consul: 8500, httpApi: 3000 })).toBeUndefined();
  });

  it('tells meshctl where the API is when it is not on its default port', () => {
    const endpoints = { aws: 'http://127.0.0.1:40001', consul: 'http://127.0.0.1:40002', httpApi: 'http://127.0.0.1:40003' };
    const hints = renderExploreHints(referenceSpec(), endpoints, { stateMachineArn: 'arn:sm', apiToken: 't' }).split('\n');
    expect(hints).toContain('  MESH_API_URL=http://127.0.0.1:40003 npx meshctl status');
    expect(hints).toContain('  aws --endpoint-url http://127.0.0.1:40001 ecs list-services --cluster cluster-1');
    const local = renderExploreHints(referenceSpec(), { ...endpoints, httpApi: 'http://127.0.0.1:3000' }, { stateMachineArn: 'arn:sm', apiToken: 't' });
    expect(local).toContain('  npx meshctl status          (talks to the HTTP API at http://127.0.0.1:3000)');
  });
});

describe('the mesh npm start starts the local orchestrator for', () => {
  const dir = scratchDir('start-mesh-');
  const file = (name: string, text: string) => {
    writeFileSync(join(dir, name), text);
    return join(dir, name);
  };

  it("is the spec's own name, so a spec of any name deploys", () => {
    expect(specMeshName('examples/mesh.yaml')).toBe('reference-mesh');
    expect(specMeshName(file('shop.yaml', 'name: shop\nclusters: []\n'))).toBe('shop');
  });

  it('is left to the default when the spec names no valid mesh: the deployment then reports the problem', () => {
    expect(specMeshName(file('bad-name.yaml', 'name: Shop_1\n'))).toBeUndefined();
    expect(specMeshName(file('no-name.yaml', 'clusters: []\n'))).toBeUndefined();
    expect(specMeshName(file('broken.yaml', 'name: [\n'))).toBeUndefined();
    expect(specMeshName(join(dir, 'missing.yaml'))).toBeUndefined();
  });
});
