import type { Command } from 'commander';
import { UserError } from '../model/source.js';

/**
 * `runstate completion bash|zsh|fish`: a completion script made from the program's own commands
 * and flags, so it never lists a flag a command does not take (validate offers no SSH flags).
 */
export function completionScript(program: Command, shell: string): string {
  const commands = program.commands.filter((c) => c.name() !== 'completion');
  const flagsOf = (c: Command) =>
    c.options.flatMap((o) => [o.long, o.short].filter((f): f is string => f !== undefined)).sort();
  switch (shell) {
    case 'bash': {
      const cases = commands
        .map((c) => `    ${c.name()}) opts="${flagsOf(c).join(' ')} --help" ;;`)
        .join('\n');
      return `# runstate bash completion: eval "$(runstate completion bash)"
_runstate() {
  local cur=\${COMP_WORDS[COMP_CWORD]} cmd=\${COMP_WORDS[1]} opts
  if [ "$COMP_CWORD" -eq 1 ]; then
    COMPREPLY=($(compgen -W "${commands.map((c) => c.name()).join(' ')} completion" -- "$cur")); return
  fi
  case "$cmd" in
${cases}
    completion) opts="bash zsh fish" ;;
  esac
  if [[ "$cur" == -* || "$cmd" == completion ]]; then COMPREPLY=($(compgen -W "$opts" -- "$cur"))
  else COMPREPLY=($(compgen -f -- "$cur")); fi
}
complete -o filenames -F _runstate runstate
`;
    }
    case 'zsh':
      return `#compdef runstate
# runstate zsh completion: eval "$(runstate completion zsh)" (after compinit)
autoload -U bashcompinit && bashcompinit
${completionScript(program, 'bash')}`;
    case 'fish': {
      const lines = [
        '# runstate fish completion: runstate completion fish | source',
        'complete -c runstate -f',
        ...commands.map(
          (c) =>
            `complete -c runstate -n __fish_use_subcommand -a ${c.name()} -d ${fishQuote(c.description())}`,
        ),
        "complete -c runstate -n __fish_use_subcommand -a completion -d 'print a shell completion script'",
        "complete -c runstate -n '__fish_seen_subcommand_from completion' -a 'bash zsh fish'",
      ];
      for (const c of commands) {
        for (const o of c.options) {
          const long = o.long ? ` -l ${o.long.replace(/^--/, '')}` : '';
          const short = o.short ? ` -s ${o.short.replace(/^-/, '')}` : '';
          const arg = o.required || o.optional ? ' -r -F' : '';
          lines.push(
            `complete -c runstate -n '__fish_seen_subcommand_from ${c.name()}'${short}${long}${arg} -d ${fishQuote(o.description)}`,
          );
        }
      }
      return `${lines.join('\n')}\n`;
    }
    default:
      throw new UserError(`no completion for shell "${shell}"`, undefined, 'use bash, zsh or fish');
  }
}

function fishQuote(text: string): string {
  return `'${text.replace(/\\/g, '\\\\').replace(/'/g, "\\'")}'`;
}
