import type { Command } from 'commander';

/** What completes a value: one of fixed words, the saved profiles, the signed-in accounts, files or folders. */
export type Values = { words: string[] } | 'profiles' | 'accounts' | 'files' | 'dirs';

/** One command as completion sees it. */
export interface CompletionEntry {
  /** The words that name it after `tokenloop` ('' for tokenloop itself, 'profile use', …). */
  path: string;
  /** Its sub-commands (commander's own `help` included). */
  subs: string[];
  /** Every option it accepts, long and short (commander's --help and --version included). */
  options: string[];
  /** The options that take a value, and what completes it (undefined: nothing, a free value). */
  values: Record<string, Values | undefined>;
  /** What completes its positional argument, if anything does. */
  args?: Values;
}

/** Option values that name a thing the CLI knows, by option (the rest: commander's `choices`, or free). */
const OPTION_VALUES: Record<string, Values> = {
  '--profile': 'profiles',
  '--account': 'accounts',
  '--ca-file': 'files',
  '--config': 'files',
  '--data-dir': 'dirs',
};

/** Positional arguments that name a thing the CLI knows, by command. */
const ARGUMENT_VALUES: Record<string, Values> = {
  'profile use': 'profiles',
  'profile remove': 'profiles',
  'account use': 'accounts',
  logout: 'accounts',
};

/**
 * The completion table, made from the command table itself (main.ts's commander program), so that completion
 * cannot drift from what the commands accept: each command's own sub-commands and options, nothing else.
 */
export function completionTable(program: Command, shells: string[]): CompletionEntry[] {
  const help = program.createHelp();
  const entries: CompletionEntry[] = [];
  const walk = (command: Command, path: string) => {
    const values: CompletionEntry['values'] = {};
    const options: string[] = [];
    for (const option of help.visibleOptions(command)) {
      const flags = [option.long, option.short].filter((f): f is string => f !== undefined);
      options.push(...flags);
      if (option.required || option.optional) {
        const choices = option.argChoices ? { words: [...option.argChoices] } : undefined;
        for (const f of flags) values[f] = choices ?? OPTION_VALUES[option.long ?? ''];
      }
    }
    const subs = help.visibleCommands(command).map((c) => c.name());
    const args = path === 'completion' ? { words: shells } : ARGUMENT_VALUES[path];
    entries.push({ path, subs, options, values, ...(args ? { args } : {}) });
    for (const sub of command.commands) walk(sub, path ? `${path} ${sub.name()}` : sub.name());
  };
  walk(program, '');
  // commander's own `help [command]` (not in `program.commands`): it takes a command's name.
  if (entries[0]!.subs.includes('help'))
    entries.push({
      path: 'help',
      subs: [],
      options: [],
      values: {},
      args: { words: program.commands.map((c) => c.name()) },
    });
  return entries;
}
