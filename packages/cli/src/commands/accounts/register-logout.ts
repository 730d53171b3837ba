import type { Command } from 'commander';
import { withSettings } from '../../config/settings-options.js';

/** `tokenloop logout`: its options; its code is imported only when it runs. */
export function registerLogout(program: Command): void {
  withSettings(
    program
      .command('logout')
      .argument('[account]', 'username or account id')
      .description('forget an account here and end its browser session at the provider'),
    { scopes: false },
  )
    .option('--all', 'sign out every account of this client')
    .option('--no-browser', "print the provider's sign-out URL instead of opening it")
    .option('--json', 'print JSON')
    .action(async (account: string | undefined, opts) => {
      const { runLogout } = await import('./run-logout.js');
      await runLogout(account, opts);
    });
}
