import { type Command, Option } from 'commander';
import { withSettings } from '../../config/settings-options.js';
// The renderers' module: a run that registers `token` is a token run, which loads it anyway (src/command-table.ts).
import { TOKEN_FORMATS } from '../../output/token-format.js';
import { resourceUri } from './resource-uri.js';

/**
 * `tokenloop token`: its options (the fast path reads the same ones with the same parsers: src/fast-path/
 * token-args.ts); its code is imported only when it runs.
 */
export function registerToken(program: Command): void {
  withSettings(
    program
      .command('token')
      .description(
        'print a valid access token (cached or refreshed silently); exit 4 when sign-in is required',
      ),
    { user: true },
  )
    .addOption(
      new Option(
        '--resource <uri>',
        'an Entra resource, e.g. https://outlook.office.com (asks for its .default scope)',
      ).argParser(resourceUri),
    )
    .addOption(new Option('-f, --format <format>', 'output format').choices(TOKEN_FORMATS).default('raw'))
    .option(
      '--account <name>',
      'which signed-in account (username, its start, or account id) instead of the default',
    )
    .option('--force-refresh', 'refresh even if the cached token is fresh')
    .action(async (opts) => {
      const { runToken } = await import('./run-token.js');
      await runToken(opts);
    });
}
