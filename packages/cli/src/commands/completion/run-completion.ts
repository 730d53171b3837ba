import { CliError } from '../../errors.js';
import { EXIT } from '../../exit-codes.js';

const COMMANDS = [
  'login',
  'token',
  'whoami',
  'accounts',
  'account',
  'status',
  'logout',
  'decode',
  'profile',
  'doctor',
  'emulator',
  'mail',
  'completion',
  'help',
];
const TOKEN_FORMATS = 'raw json header env xoauth2 oauthbearer';

const SCRIPTS: Record<string, string> = {
  bash: `# tokenloop bash completion: eval "$(tokenloop completion bash)"
_tokenloop() {
  local cur prev
  cur="\${COMP_WORDS[COMP_CWORD]}"; prev="\${COMP_WORDS[COMP_CWORD-1]}"
  if [ "$COMP_CWORD" -eq 1 ]; then COMPREPLY=( $(compgen -W "${COMMANDS.join(' ')}" -- "$cur") ); return; fi
  case "$prev" in
    --format|-f) COMPREPLY=( $(compgen -W "${TOKEN_FORMATS}" -- "$cur") ); return;;
    profile) COMPREPLY=( $(compgen -W "add list remove use" -- "$cur") ); return;;
    mail) COMPREPLY=( $(compgen -W "test proxy password" -- "$cur") ); return;;
    completion) COMPREPLY=( $(compgen -W "bash zsh fish" -- "$cur") ); return;;
  esac
  COMPREPLY=( $(compgen -W "--profile --scope --resource --format --user --account --authority --client-id --json --device --help" -- "$cur") )
}
complete -F _tokenloop tokenloop
`,
  zsh: `#compdef tokenloop
# tokenloop zsh completion: eval "$(tokenloop completion zsh)"
_tokenloop() {
  local -a commands
  commands=(${COMMANDS.join(' ')})
  if (( CURRENT == 2 )); then _describe 'command' commands; return; fi
  case $words[CURRENT-1] in
    --format|-f) _values 'format' ${TOKEN_FORMATS}; return;;
    profile) _values 'action' add list remove use; return;;
    mail) _values 'action' test proxy password; return;;
  esac
  _arguments '*:option:(--profile --scope --resource --format --user --account --authority --client-id --json --device --help)'
}
compdef _tokenloop tokenloop
`,
  fish: `# tokenloop fish completion: tokenloop completion fish | source
complete -c tokenloop -f
complete -c tokenloop -n __fish_use_subcommand -a "${COMMANDS.join(' ')}"
complete -c tokenloop -n "__fish_seen_subcommand_from token" -l format -s f -a "${TOKEN_FORMATS}"
complete -c tokenloop -n "__fish_seen_subcommand_from profile" -a "add list remove use"
complete -c tokenloop -n "__fish_seen_subcommand_from mail" -a "test proxy password"
complete -c tokenloop -l profile -s p -r
complete -c tokenloop -l scope -s s -r
complete -c tokenloop -l json
`,
};

/** `tokenloop completion bash|zsh|fish`: the shell completion script on stdout. */
export function runCompletion(shell: string): void {
  const script = SCRIPTS[shell];
  if (!script)
    throw new CliError(`no completion for ${JSON.stringify(shell)}`, EXIT.usage, 'use bash, zsh or fish');
  process.stdout.write(script);
}
