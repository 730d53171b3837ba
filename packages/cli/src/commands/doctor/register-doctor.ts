import type { Command } from 'commander';
import { withSettings } from '../../config/settings-options.js';
import type { CommandEnd } from '../../exit-codes.js';

/** `tokenloop doctor`: its options; its code is imported only when it runs (exit 1 when a check failed). */
export function registerDoctor(program: Command, end: CommandEnd): void {
  withSettings(
    program
      .command('doctor')
      .description('check configuration, provider, app registration, cache and keyring, clock'),
    { scopes: false },
  )
    .option('--json', 'print JSON')
    .action(async (opts) => {
      const { runDoctor } = await import('./run-doctor.js');
      end(await runDoctor(opts));
    });
}
