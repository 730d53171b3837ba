import type { Command } from 'commander';
import { withSettings } from '../../config/settings-options.js';

/** `tokenloop doctor`: its options; its code is imported only when it runs. */
export function registerDoctor(program: Command): void {
  withSettings(
    program
      .command('doctor')
      .description('check configuration, provider, app registration, cache and keyring, clock'),
    { scopes: false },
  )
    .option('--json', 'print JSON')
    .action(async (opts) => {
      const { runDoctor } = await import('./run-doctor.js');
      await runDoctor(opts);
    });
}
