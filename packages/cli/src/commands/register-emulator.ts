import { type Command, Option } from 'commander';
import { integer } from '../config/option-parsers.js';
import type { CommandEnd } from '../exit-codes.js';

/** `tokenloop emulator`: its options; its code (and the emulator package) is imported only when it runs. */
export function registerEmulator(program: Command, end: CommandEnd): void {
  program
    .command('emulator')
    .description('run a local, Entra-compatible identity platform (authorize, token, device code, Graph /me)')
    .addOption(
      new Option('--port <n>', 'port to listen on (0 = any free port)')
        .argParser(integer('--port', 0, 65_535))
        .default(8400),
    )
    .option(
      '--host <address>',
      'address to listen on: a loopback one, or with --allow-remote any (0.0.0.0 for containers)',
      '127.0.0.1',
    )
    .option(
      '--allow-remote',
      'allow a non-loopback --host: anyone who reaches it can sign in as the test users (warns on every start)',
    )
    .option(
      '--public-url <url>',
      'the URL clients reach the emulator at, used in issuers, discovery and pages (e.g. http://emulator:8400)',
    )
    .option('--https', 'serve https with a local CA kept in the data directory')
    .option('--config <file>', 'directory config (JSON): tenants, apps, users; default: built-in sample')
    .option(
      '--data-dir <dir>',
      'where signing keys and the local CA are kept (default: $TOKENLOOP_HOME/emulator, else $XDG_DATA_HOME/tokenloop/emulator, else ~/.local/share/tokenloop/emulator)',
    )
    .option('--auto-login <username>', 'complete every sign-in and device code as this user, without pages')
    .addOption(
      new Option('--access-token-lifetime <seconds>', 'access token lifetime').argParser(
        integer('--access-token-lifetime', 1, 86_400),
      ),
    )
    .option('--json', 'print one JSON line with the URL, tenants, apps and users when ready')
    .action(async (opts) => {
      const { runEmulator } = await import('./emulator.js');
      end(await runEmulator(opts));
    });
}
