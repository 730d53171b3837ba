import type { Command } from 'commander';
import { CliError } from '../../errors.js';
import { EXIT } from '../../exit-codes.js';
import { bashScript } from './bash-script.js';
import { completionTable } from './command-table.js';
import { fishScript } from './fish-script.js';

const SHELLS = ['bash', 'zsh', 'fish'];

/**
 * `tokenloop completion bash|zsh|fish`: the shell completion script on stdout, made from the command table.
 * zsh runs the bash script through its bashcompinit. `program` is the command line's own command table (main.ts
 * hands it over, so completion does not import main.ts).
 */
export async function runCompletion(shell: string, program: Command): Promise<void> {
  if (!SHELLS.includes(shell))
    throw new CliError(`no completion for ${JSON.stringify(shell)}`, EXIT.usage, 'use bash, zsh or fish');
  const table = completionTable(program, SHELLS);
  const script =
    shell === 'fish'
      ? fishScript(table)
      : shell === 'zsh'
        ? `#compdef tokenloop\n# tokenloop zsh completion: eval "$(tokenloop completion zsh)"\nautoload -U +X bashcompinit && bashcompinit\n${bashScript(table)}`
        : bashScript(table);
  process.stdout.write(script);
}
