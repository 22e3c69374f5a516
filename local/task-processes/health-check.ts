/**
 * The programs an ECS container health check runs inside its container
 * (https://docs.aws.amazon.com/AmazonECS/latest/APIReference/API_HealthCheck.html): `["CMD", "<exe>", ...]` runs
 * the executable directly; `["CMD-SHELL", "<command>"]` runs the image's `/bin/sh -c`, which looks up the first word
 * of each command of the line. A program the image lacks makes every check fail (`sh: curl: not found`, exit 127).
 */

/** Shell words that are builtins, not programs looked up in the image. */
const SHELL_BUILTINS = new Set(['exit', 'true', 'false', 'test', '[', 'echo', 'printf', 'cd', 'set', 'export', ':']);

/** The programs `command` needs, by file name. */
export function healthCheckPrograms(command: readonly unknown[]): string[] {
  const [form, ...rest] = command.map(String);
  if (form === 'CMD') return rest[0] ? [rest[0].split('/').pop() as string] : [];
  if (form !== 'CMD-SHELL' || rest.length === 0) return [];
  const words = rest
    .join(' ')
    .split(/\|\||&&|;|\|/)
    .map((part) => part.trim().split(/\s+/).find((word) => !/^[A-Za-z_][A-Za-z0-9_]*=/.test(word)) ?? '')
    .filter((word) => word !== '' && !SHELL_BUILTINS.has(word));
  return ['sh', ...words.map((word) => word.split('/').pop() as string)];
}

/** The first program of the check the image does not provide, with what the container's shell would print. */
export function missingProgram(command: readonly unknown[], programs: ReadonlySet<string>): string | undefined {
  const missing = healthCheckPrograms(command).find((program) => !programs.has(program));
  if (missing === undefined) return undefined;
  return missing === 'sh' ? 'exec: "/bin/sh": stat /bin/sh: no such file or directory' : `/bin/sh: 1: ${missing}: not found`;
}
