import { type Command, Option } from 'commander';
import { integer } from '../../config/option-parsers.js';
import { withSettings } from '../../config/settings-options.js';

/** `tokenloop login`: its options; its code is imported only when it runs. */
export function registerLogin(program: Command): void {
  withSettings(
    program
      .command('login')
      .description(
        'sign in (browser with a loopback redirect; device code with --device or when there is no browser)',
      ),
    { port: true },
  )
    .option('--device', 'sign in with a device code (on another device)')
    .option('--use-device-code', 'the same as --device (as az login names it)')
    .option('--login-hint <username>', 'the account to sign in as (fills in the username)')
    .option('--username <username>', 'the same as --login-hint')
    .addOption(
      new Option(
        '--prompt <prompt>',
        'ask the provider to show sign-in, the account picker or consent',
      ).choices(['select_account', 'login', 'consent']),
    )
    .addOption(
      new Option(
        '--browser',
        'use the browser even when none seems available (e.g. through ssh -L)',
      ).conflicts(['device', 'useDeviceCode']),
    )
    .addOption(
      new Option('--timeout <seconds>', 'give up waiting after this long (10 to 3600 seconds)')
        .argParser(integer('--timeout', 10, 3600))
        .default(300),
    )
    .option('--json', 'print the signed-in account as JSON')
    .action(async (opts) => {
      const { runLogin } = await import('./run-login.js');
      await runLogin(opts);
    });
}
