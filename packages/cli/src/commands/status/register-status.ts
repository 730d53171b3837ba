import type { Command } from 'commander';
import { withSettings } from '../../config/settings-options.js';

/** `tokenloop status`: its options; its code is imported only when it runs. */
export function registerStatus(program: Command): void {
  withSettings(
    program
      .command('status')
      .description("each profile's accounts, tenant, scopes and token expiry (from the cache, offline)"),
    { scopes: false },
  )
    .option('--json', 'print JSON')
    .action(async (opts) => {
      const { runStatus } = await import('./run-status.js');
      await runStatus(opts);
    });
}
