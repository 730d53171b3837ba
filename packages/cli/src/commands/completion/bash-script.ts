import type { CompletionEntry, Values } from './command-table.js';

/** A `case` pattern for a command path ('' is tokenloop itself). */
const pattern = (path: string) => `'${path}'`;

/** Shell code that prints the words completing a value (dynamic ones ask tokenloop itself, quietly). */
function wordsOf(values: Values): string {
  if (values === 'profiles') return '_tokenloop_profiles';
  if (values === 'accounts') return '_tokenloop_accounts';
  if (values === 'files' || values === 'dirs') return '';
  return `echo ${values.words.join(' ')}`;
}

function valueCases(entries: CompletionEntry[]): string[] {
  const lines: string[] = [];
  for (const e of entries)
    for (const [flag, values] of Object.entries(e.values)) {
      const action =
        values === undefined
          ? 'return 1'
          : values === 'files'
            ? 'compgen -f -- "$cur"; return'
            : values === 'dirs'
              ? 'compgen -d -- "$cur"; return'
              : `compgen -W "$(${wordsOf(values)})" -- "$cur"; return`;
      lines.push(`    ${pattern(`${e.path}|${flag}`)}) ${action};;`);
    }
  return lines;
}

/**
 * The bash completion script, from the completion table: the command
 * path is found word by word (skipping options and their values), then the last word completes as that
 * command's sub-command, option, option value or argument. Profile names and accounts come from
 * `tokenloop profile list` and `tokenloop accounts` (for the --profile typed on the line).
 */
export function bashScript(entries: CompletionEntry[]): string {
  const subs = entries
    .filter((e) => e.subs.length)
    .map((e) => `    ${pattern(e.path)}) echo ${e.subs.join(' ')};;`);
  const options = entries.map((e) => `    ${pattern(e.path)}) echo ${e.options.join(' ')};;`);
  const valued = entries
    .filter((e) => Object.keys(e.values).length)
    .map((e) => `    ${pattern(e.path)}) echo ${Object.keys(e.values).join(' ')};;`);
  const args = entries
    .filter((e) => e.args !== undefined)
    .map((e) => `    ${pattern(e.path)}) ${wordsOf(e.args!)};;`);
  return `# tokenloop bash completion: eval "$(tokenloop completion bash)"
_tokenloop_subs() {
  case "$1" in
${subs.join('\n')}
  esac
}
_tokenloop_options() {
  case "$1" in
${options.join('\n')}
  esac
}
_tokenloop_valued() {
  case "$1" in
${valued.join('\n')}
  esac
}
_tokenloop_args() {
  case "$1" in
${args.join('\n')}
  esac
}
_tokenloop_profiles() {
  "$_tokenloop_cmd" profile list 2>/dev/null | cut -c3- | cut -f1
}
_tokenloop_accounts() {
  "$_tokenloop_cmd" accounts \${_tokenloop_profile:+--profile "$_tokenloop_profile"} 2>/dev/null | cut -f1
}
_tokenloop_value() {
  case "$1|$2" in
${valueCases(entries).join('\n')}
  esac
  return 1
}
_tokenloop() {
  local cur="\${COMP_WORDS[COMP_CWORD]}" path="" option="" word i
  local _tokenloop_cmd="\${COMP_WORDS[0]}" _tokenloop_profile=""
  COMPREPLY=()
  for ((i = 1; i < COMP_CWORD; i++)); do
    word="\${COMP_WORDS[i]}"
    if [ -n "$option" ]; then
      case "$option" in --profile|-p) _tokenloop_profile="$word";; esac
      option=""
      continue
    fi
    case " $(_tokenloop_valued "$path") " in *" $word "*) option="$word"; continue;; esac
    case " $(_tokenloop_subs "$path") " in *" $word "*) path="\${path:+$path }$word";; esac
  done
  if [ -n "$option" ]; then
    COMPREPLY=( $(_tokenloop_value "$path" "$option") )
    return 0
  fi
  case "$cur" in
    -*) COMPREPLY=( $(compgen -W "$(_tokenloop_options "$path")" -- "$cur") ); return 0;;
  esac
  local words
  words="$(_tokenloop_subs "$path")"
  [ -n "$words" ] || words="$(_tokenloop_args "$path")"
  COMPREPLY=( $(compgen -W "$words" -- "$cur") )
}
complete -F _tokenloop tokenloop
`;
}
