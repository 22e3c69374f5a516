import { readFileSync } from 'node:fs';
import { healthCheckPrograms, missingProgram } from '../../../../local/task-processes/health-check';
import { programsOfDockerfile } from '../../../../local/task-processes/shipped-images';

describe('the programs a container health check runs', () => {
  it('are the executable of CMD, and sh plus the first word of each command of CMD-SHELL', () => {
    expect(healthCheckPrograms(['CMD', '/usr/bin/curl', '-f', 'http://x'])).toEqual(['curl']);
    expect(healthCheckPrograms(['CMD-SHELL', 'wget -q -O /dev/null http://127.0.0.1:8080/health || exit 1'])).toEqual(['sh', 'wget']);
    expect(healthCheckPrograms(['CMD-SHELL', 'PORT=1 nc -z 127.0.0.1 8080 && test -f /tmp/ok'])).toEqual(['sh', 'nc']);
  });

  it('must be in the image: the shell says which one is not', () => {
    const alpine = programsOfDockerfile(readFileSync('docker/services/users/Dockerfile', 'utf8'))!;
    expect(missingProgram(['CMD-SHELL', 'wget -q -O /dev/null http://127.0.0.1:8080/health || exit 1'], alpine)).toBeUndefined();
    expect(missingProgram(['CMD-SHELL', 'curl -f http://127.0.0.1:8080/health || exit 1'], alpine)).toBe('/bin/sh: 1: curl: not found');
    expect(missingProgram(['CMD-SHELL', 'true'], new Set())).toBe('exec: "/bin/sh": stat /bin/sh: no such file or directory');
  });
});

describe('what a shipped image contains, read from its Dockerfile', () => {
  it('knows the base images, the packages installed and the binaries copied in', () => {
    const dataplane = programsOfDockerfile(readFileSync('docker/consul-dataplane/Dockerfile', 'utf8'))!;
    const server = programsOfDockerfile(readFileSync('docker/consul-server/Dockerfile', 'utf8'))!;
    expect([...dataplane].sort()).toEqual(expect.arrayContaining(['consul-dataplane', 'curl', 'dumb-init', 'envoy', 'sh']));
    expect(server.has('consul')).toBe(true);
    expect(server.has('curl')).toBe(true);
  });

  it('knows nothing of an unknown base image: it is trusted', () => {
    expect(programsOfDockerfile('FROM example.com/custom:1\nRUN true\n')).toBeUndefined();
  });
});
