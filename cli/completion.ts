import type { Command } from 'commander';

export type Shell = 'bash' | 'zsh';

/**
 * A shell completion script for `meshctl`, generated from the program itself so it never lists a command or an
 * option that does not exist: command names first, then each command's long options. zsh loads the same function
 * through its bash compatibility layer (bashcompinit), which ships with zsh.
 *
 * @example eval "$(npx meshctl completion bash)"   # or add the output to ~/.bashrc
 */
export function renderCompletion(program: Command, shell: Shell): string {
  const commands = program.commands.map((c) => c.name());
  const cases = program.commands
    .map((c) => {
      const options = [...c.options.map((o) => o.long).filter((o): o is string => o !== undefined), '--help'];
      return `    ${c.name()}) opts="${options.join(' ')}" ;;`;
    })
    .join('\n');
  const body = `_meshctl() {
  local cur="\${COMP_WORDS[COMP_CWORD]}" cmd="\${COMP_WORDS[1]}" opts
  if [ "$COMP_CWORD" -eq 1 ]; then
    COMPREPLY=( $(compgen -W "${commands.join(' ')} --help --version" -- "$cur") )
    return
  fi
  case "$cmd" in
${cases}
    *) opts="" ;;
  esac
  if [[ "$cur" == -* ]]; then
    COMPREPLY=( $(compgen -W "$opts" -- "$cur") )
  else
    COMPREPLY=( $(compgen -f -- "$cur") )
  fi
}
complete -F _meshctl meshctl
`;
  const header = `# meshctl completion for ${shell}: eval "$(npx meshctl completion ${shell})"\n`;
  return shell === 'zsh' ? `${header}autoload -U +X bashcompinit && bashcompinit\n${body}` : `${header}${body}`;
}
