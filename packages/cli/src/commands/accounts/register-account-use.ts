import type { Command } from 'commander';
import { withSettings } from '../../config/settings-options.js';

/** `tokenloop account use`: its options; its code is imported only when it runs. */
export function registerAccountUse(program: Command): void {
  const account = program
    .command('account')
    .description('the default account of a profile, when several are signed in');
  withSettings(
    account
      .command('use')
      .argument('<name>', 'username (or its start) or account id')
      .description('make a signed-in account the default of the profile in use (or --profile)'),
    { scopes: false },
  ).action(async (name: string, opts) => {
    const { runAccountUse } = await import('./run-account-use.js');
    await runAccountUse(name, opts);
  });
}
