import type { Command } from 'commander';
import { withSettings } from '../../config/settings-options.js';

/** `tokenloop accounts`: its options; its code is imported only when it runs. */
export function registerAccounts(program: Command): void {
  withSettings(program.command('accounts').description('list the accounts signed in for this client'), {
    scopes: false,
  })
    .option('--json', 'print JSON')
    .action(async (opts) => {
      const { runAccounts } = await import('./run-accounts.js');
      await runAccounts(opts);
    });
}
