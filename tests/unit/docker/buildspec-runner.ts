import { existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { run, tempDir, writeExecutable } from './processes';

/** The part of a buildspec (version 0.2) this runner executes. */
export interface Buildspec {
  version: unknown;
  env?: { shell?: string; variables?: Record<string, string>; 'exported-variables'?: string[] };
  phases: Record<string, { 'on-failure'?: string; commands: string[] }>;
}

export interface BuildspecRun {
  /** Phases that ran, in order, with their outcome. */
  phases: Array<{ name: string; status: 'SUCCEEDED' | 'FAILED' }>;
  /** `exported-variables` as CodeBuild reports them after the build (unset → absent). */
  exported: Record<string, string>;
  /** Every call of the `aws` and `docker` test doubles, one line each. */
  calls: string[];
  output: string;
}

const PHASE_ORDER = ['install', 'pre_build', 'build', 'post_build'];

/** Test double of the AWS CLI for the ECR and STS calls a buildspec makes; the registry lives in `$FAKE_STATE`. */
const FAKE_AWS = `#!/bin/sh
echo "aws $*" >> "$FAKE_STATE/calls"
service_op="$1 $2"
shift 2
repo=; tag=; query=
while [ $# -gt 0 ]; do
  case "$1" in
    --repository-names | --repository-name) repo=$2; shift ;;
    --query) query=$2; shift ;;
    imageTag=*) tag=\${1#imageTag=} ;;
  esac
  shift
done
case "$service_op" in
  "sts get-caller-identity") echo 111122223333 ;;
  "ecr describe-repositories") echo "111122223333.dkr.ecr.us-east-1.amazonaws.com/$repo" ;;
  "ecr get-login-password") echo fake-registry-password ;;
  "ecr describe-images")
    if [ -f "$FAKE_STATE/throttled" ]; then
      echo "An error occurred (ThrottlingException) when calling the DescribeImages operation: Rate exceeded" >&2
      exit 254
    elif [ -f "$FAKE_STATE/images/$tag" ]; then
      digest=$(cat "$FAKE_STATE/images/$tag")
      if [ -n "$query" ]; then echo "$digest"; else printf '{"imageDetails":[{"imageDigest":"%s","imageTags":["%s"]}]}\\n' "$digest" "$tag"; fi
    else
      echo "An error occurred (ImageNotFoundException) when calling the DescribeImages operation: The image with imageId {imageTag:'$tag'} does not exist" >&2
      exit 254
    fi ;;
  *) echo "unexpected aws call: $service_op" >&2; exit 2 ;;
esac
`;

/** Test double of the Docker CLI: login checks the password on stdin, build records the tag, push fills the registry. */
/** Test double of \`uname -m\`: the build host's machine, aarch64 (an ARM_CONTAINER host) unless FAKE_MACHINE says otherwise. */
const FAKE_UNAME = `#!/bin/sh
[ "$*" = -m ] || { echo "unexpected uname $*" >&2; exit 2; }
echo "\${FAKE_MACHINE:-aarch64}"
`;

const FAKE_DOCKER = `#!/bin/sh
echo "docker $*" >> "$FAKE_STATE/calls"
case "$1" in
  login)
    [ "$(cat)" = fake-registry-password ] || { echo "unauthorized" >&2; exit 1; }
    echo "Login Succeeded" ;;
  build)
    [ -z "\${FAKE_BUILD_FAIL:-}" ] || { echo "ERROR: failed to solve: process did not complete successfully" >&2; exit 1; }
    while [ $# -gt 0 ]; do [ "$1" = --tag ] && echo "$2" > "$FAKE_STATE/built"; shift; done ;;
  push)
    [ "$(cat "$FAKE_STATE/built" 2>/dev/null)" = "$2" ] || { echo "An image does not exist locally with the tag: $2" >&2; exit 1; }
    mkdir -p "$FAKE_STATE/images"
    echo "sha256:$(printf '%s' "$2" | sha256sum | cut -c1-64)" > "$FAKE_STATE/images/\${2##*:}" ;;
  *) echo "unexpected docker call: $1" >&2; exit 2 ;;
esac
`;

function shellQuote(value: string): string {
  return `'${value.replace(/'/g, `'\\''`)}'`;
}

/**
 * Executes a buildspec the way CodeBuild does for version 0.2, with `aws` and `docker` replaced by test doubles:
 * the declared variables, then the overrides (StartBuild's environmentVariablesOverride wins); all commands of all
 * phases in one shell instance, so variables set by one command are seen by the next; a failing command (non-zero
 * status, including `exit N`) fails its phase; `on-failure: ABORT` skips the phases after it, otherwise the next
 * phase runs with CODEBUILD_BUILD_SUCCEEDING=0. Not emulated: install runtimes, artifacts, reports, caches.
 */
export class BuildspecRunner {
  readonly state: string;
  private readonly dir: string;

  constructor(private readonly buildspec: Buildspec) {
    this.dir = tempDir('buildspec-');
    this.state = join(this.dir, 'state');
    mkdirSync(join(this.state, 'images'), { recursive: true });
    writeExecutable(join(this.dir, 'bin'), 'aws', FAKE_AWS);
    writeExecutable(join(this.dir, 'bin'), 'docker', FAKE_DOCKER);
    writeExecutable(join(this.dir, 'bin'), 'uname', FAKE_UNAME);
  }

  /** Puts an image into the fake registry, as an earlier build would have. */
  seedImage(tag: string, digest: string): void {
    writeFileSync(join(this.state, 'images', tag), `${digest}\n`);
  }

  /** Removes the runner's files. */
  dispose(): void {
    rmSync(this.dir, { recursive: true, force: true });
  }

  /** Makes the fake ECR answer DescribeImages with ThrottlingException. */
  throttleEcr(): void {
    writeFileSync(join(this.state, 'throttled'), '');
  }

  async run(sourceDir: string, overrides: Record<string, string>, fakeEnv: Record<string, string> = {}): Promise<BuildspecRun> {
    const lines = ['shopt -s expand_aliases', '# CodeBuild: `exit` ends the command and fails it, not the build shell.', 'alias exit=return'];
    const variables = { ...(this.buildspec.env?.variables ?? {}), ...overrides };
    for (const [name, value] of Object.entries(variables)) lines.push(`export ${name}=${shellQuote(String(value))}`);
    lines.push('export CODEBUILD_BUILD_SUCCEEDING=1', "export CODEBUILD_BUILD_ID='mesh-images:0f0e0d0c'", '__cb_aborted=0');

    for (const name of PHASE_ORDER.filter((p) => p in this.buildspec.phases)) {
      const phase = this.buildspec.phases[name];
      const files = phase.commands.map((command, i) => {
        const file = join(this.dir, `${name}.${String(i).padStart(3, '0')}.sh`);
        writeFileSync(file, `${command}\n`);
        return shellQuote(file);
      });
      lines.push(
        `if [ "$__cb_aborted" = 0 ]; then`,
        '  __cb_status=SUCCEEDED',
        `  for __cb_command in ${files.join(' ')}; do`,
        '    . "$__cb_command"',
        '    if [ $? -ne 0 ]; then __cb_status=FAILED; break; fi',
        '  done',
        `  echo "${name} $__cb_status" >> "$FAKE_STATE/phases"`,
        '  if [ "$__cb_status" = FAILED ]; then',
        '    CODEBUILD_BUILD_SUCCEEDING=0',
        phase['on-failure'] === 'ABORT' ? '    __cb_aborted=1' : '    :',
        '  fi',
        'fi',
      );
    }
    for (const name of this.buildspec.env?.['exported-variables'] ?? []) {
      lines.push(`if [ -n "\${${name}+set}" ]; then printf '%s=%s\\n' ${name} "$${name}" >> "$FAKE_STATE/exported"; fi`);
    }
    const script = join(this.dir, 'build.sh');
    writeFileSync(script, `${lines.join('\n')}\n`);

    const shell = this.buildspec.env?.shell ?? 'sh';
    const result = await run(shell, [script], {
      PATH: `${join(this.dir, 'bin')}:${process.env.PATH ?? '/usr/bin:/bin'}`,
      FAKE_STATE: this.state,
      AWS_DEFAULT_REGION: 'us-east-1',
      ...fakeEnv,
    }, sourceDir);

    const read = (name: string) => (existsSync(join(this.state, name)) ? readFileSync(join(this.state, name), 'utf8').trim() : '');
    return {
      phases: read('phases')
        .split('\n')
        .filter(Boolean)
        .map((line) => {
          const [phaseName, status] = line.split(' ');
          return { name: phaseName, status: status as 'SUCCEEDED' | 'FAILED' };
        }),
      exported: Object.fromEntries(
        read('exported')
          .split('\n')
          .filter(Boolean)
          .map((line) => [line.slice(0, line.indexOf('=')), line.slice(line.indexOf('=') + 1)]),
      ),
      calls: read('calls').split('\n').filter(Boolean),
      output: result.stdout + result.stderr,
    };
  }
}
