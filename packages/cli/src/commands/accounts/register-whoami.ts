import type { Command } from 'commander';
import { withSettings } from '../../config/settings-options.js';

/** `tokenloop whoami`: its options; its code is imported only when it runs. */
export function registerWhoami(program: Command): void {
  withSettings(
    program
      .command('whoami')
      .description('who is signed in: Microsoft Graph /me on Entra, userinfo elsewhere'),
    { scopes: false },
  )
    .option(
      '--account <name>',
      'which signed-in account (username, its start, or account id) instead of the default',
    )
    .option('--json', 'print the profile as JSON')
    .action(async (opts) => {
      const { runWhoami } = await import('./run-whoami.js');
      await runWhoami(opts);
    });
}
