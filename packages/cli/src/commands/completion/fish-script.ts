import type { CompletionEntry, Values } from './command-table.js';

const quoted = (s: string) => `'${s}'`;

/** fish's `-a` argument for a value, and whether it is exclusive (no files then). */
function argsOf(values: Values): string {
  if (values === 'profiles') return "-x -a '(__tokenloop_profiles)'";
  if (values === 'accounts') return "-x -a '(__tokenloop_accounts)'";
  if (values === 'files' || values === 'dirs') return '-r -F';
  return `-x -a ${quoted(values.words.join(' '))}`;
}

function flagOf(flag: string): string {
  return flag.startsWith('--') ? `-l ${flag.slice(2)}` : `-s ${flag.slice(1)}`;
}

/**
 * The fish completion script, from the same table as bash's: the
 * command path is found from the words typed so far, and each command offers its own sub-commands, options,
 * option values and arguments.
 */
export function fishScript(entries: CompletionEntry[]): string {
  const lines = [
    '# tokenloop fish completion: tokenloop completion fish | source',
    'complete -c tokenloop -f',
    'function __tokenloop_subs',
    '    switch "$argv[1]"',
    ...entries
      .filter((e) => e.subs.length)
      .flatMap((e) => [`        case ${quoted(e.path)}`, `            printf '%s\\n' ${e.subs.join(' ')}`]),
    '    end',
    'end',
    'function __tokenloop_valued',
    '    switch "$argv[1]"',
    ...entries
      .filter((e) => Object.keys(e.values).length)
      .flatMap((e) => [
        `        case ${quoted(e.path)}`,
        `            printf '%s\\n' -- ${Object.keys(e.values).join(' ')}`,
      ]),
    '    end',
    'end',
    'function __tokenloop_path',
    '    set -l path ""',
    '    set -l skip 0',
    '    for word in (commandline -opc)[2..-1]',
    '        if test $skip = 1',
    '            set skip 0',
    '            continue',
    '        end',
    '        if contains -- $word (__tokenloop_valued "$path")',
    '            set skip 1',
    '            continue',
    '        end',
    '        if contains -- $word (__tokenloop_subs "$path")',
    '            set path (string trim -- "$path $word")',
    '        end',
    '    end',
    '    echo $path',
    'end',
    'function __tokenloop_profiles',
    '    tokenloop profile list 2>/dev/null | string sub -s 3 | string split -f1 \\t',
    'end',
    'function __tokenloop_accounts',
    '    tokenloop accounts 2>/dev/null | string split -f1 \\t',
    'end',
  ];
  for (const e of entries) {
    const when = `-n ${quoted(`test "(__tokenloop_path)" = "${e.path}"`)}`;
    if (e.subs.length) lines.push(`complete -c tokenloop ${when} -a ${quoted(e.subs.join(' '))}`);
    else if (e.args) lines.push(`complete -c tokenloop ${when} ${argsOf(e.args)}`);
    for (const option of e.options) {
      const values = e.values[option];
      const takes = option in e.values;
      lines.push(
        `complete -c tokenloop ${when} ${flagOf(option)}${takes ? ` ${values ? argsOf(values) : '-r'}` : ''}`,
      );
    }
  }
  return `${lines.join('\n')}\n`;
}
