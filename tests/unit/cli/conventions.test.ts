import { spawnSync } from 'node:child_process';
import { buildProgram, run } from '../../../cli/meshctl';

/** meshctl in-process with captured streams: its exit code and what it wrote. */
async function meshctl(...args: string[]) {
  let stdout = '';
  let stderr = '';
  const code = await run(['node', 'meshctl', ...args], { stdout: { write: (s: string) => (stdout += s) }, stderr: { write: (s: string) => (stderr += s) } });
  process.exitCode = undefined;
  return { code, stdout, stderr };
}

const COMMANDS = buildProgram().commands.map((c) => c.name());

describe('meshctl command-line conventions', () => {
  it.each(COMMANDS)('%s --help exits 0 with an example and the exit codes', async (command) => {
    const { code, stdout } = await meshctl(command, '--help');
    expect(code).toBe(0);
    expect(stdout).toMatch(/\nExample:\n {2}\$ (npx meshctl|eval) /);
    expect(stdout).toContain('Exit codes: 0 ok, 1 the operation failed (invalid spec, failed deployment, drift with --check), 2 wrong usage, 130 interrupted.');
  });

  it('exits 2 on a wrong command line: an unknown command, an unknown option, a missing argument, a bad value', async () => {
    for (const args of [['bogus'], ['validate', 'examples/mesh.yaml', '--bogus-flag'], ['deploy'], ['completion', 'fish']]) {
      const { code, stderr } = await meshctl(...args);
      expect({ args, code, firstLine: stderr.split('\n')[0].startsWith('error: ') }).toEqual({ args, code: 2, firstLine: true });
    }
  });

  it('exits 2 for a rollout without exactly one of --image and --build, before any request', async () => {
    for (const args of [['rollout', 'users'], ['rollout', 'users', '--image', 'users:1.1.0', '--build', 'docker/services/users']]) {
      const { code, stderr } = await meshctl(...args, '--api-url', 'http://127.0.0.1:1', '--token', 't'.repeat(16));
      expect({ args, code, stderr }).toEqual({ args, code: 2, stderr: 'meshctl rollout: pass exactly one of --image <repository:tag> or --build <context dir>\n' });
    }
  });

  it('rotate --help lists every secret the API rotates, the TLS CA included', async () => {
    const { stdout } = await meshctl('rotate', '--help');
    expect(stdout.replace(/\s+/g, ' ')).toContain('mesh-gateway/<gateway>; or ca, the TLS CA');
    expect(stdout).not.toMatch(/not supported/);
  });

  it('exits 1 when the operation fails, 0 when it succeeds, and prints its version', async () => {
    expect(await meshctl('validate', 'examples/does-not-exist.yaml')).toEqual({
      code: 1,
      stdout: '',
      stderr: 'examples/does-not-exist.yaml: (file): cannot read examples/does-not-exist.yaml: ENOENT\n',
    });
    expect(await meshctl('validate', 'examples/mesh.yaml')).toEqual({
      code: 0,
      stdout: 'examples/mesh.yaml: valid (mesh "reference-mesh", 2 clusters, 4 services, 3 Consul servers)\n',
      stderr: '',
    });
    expect(await meshctl('--version')).toEqual({ code: 0, stdout: '0.1.0\n', stderr: '' });
  });

  it.each(['bash', 'zsh'])('prints a %s completion script that the shell parses, listing every command and its options', async (shell) => {
    const { code, stdout } = await meshctl('completion', shell);
    expect(code).toBe(0);
    for (const command of COMMANDS) expect(stdout).toContain(command);
    expect(stdout).toContain('deploy) opts="--api-url --token --state-machine-arn --context-root --source-bucket --no-wait --json --poll-seconds --max-rounds --help" ;;');
    expect(stdout).toContain('complete -F _meshctl meshctl');
    if (shell === 'bash') {
      const check = spawnSync('bash', ['-n'], { input: stdout, encoding: 'utf8' });
      expect({ status: check.status, stderr: check.stderr }).toEqual({ status: 0, stderr: '' });
    }
  });

  it('completes a command name and a command option in bash', async () => {
    const { stdout } = await meshctl('completion', 'bash');
    const complete = (words: string[]) => {
      const script = `${stdout}\nCOMP_WORDS=(${words.map((w) => `'${w}'`).join(' ')}); COMP_CWORD=${words.length - 1}; _meshctl; printf '%s\\n' "\${COMPREPLY[@]}"`;
      return spawnSync('bash', ['-c', script], { encoding: 'utf8' }).stdout.trim().split('\n');
    };
    expect(complete(['meshctl', 'ro'])).toEqual(['rollout', 'rotate']);
    expect(complete(['meshctl', 'deploy', '--no'])).toEqual(['--no-wait']);
  });
});
