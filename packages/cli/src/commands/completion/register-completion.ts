import type { Command } from 'commander';

/**
 * `tokenloop completion`: the script is made from `program`, the command table it is registered in (so this
 * folder imports no command of its own); its code is imported only when it runs.
 */
export function registerCompletion(program: Command): void {
  program
    .command('completion')
    .argument('<shell>', 'bash, zsh or fish')
    .description('print a shell completion script')
    .action(async (shell: string) => {
      const { runCompletion } = await import('./run-completion.js');
      await runCompletion(shell, program);
    });
}
