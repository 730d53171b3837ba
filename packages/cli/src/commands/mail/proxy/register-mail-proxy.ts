import type { Command } from 'commander';
import { collectOne } from '../../../config/option-parsers.js';
import { withSettings } from '../../../config/settings-options.js';
import type { CommandEnd } from '../../../exit-codes.js';

/** `tokenloop mail proxy`: its options; its code is imported only when it runs. */
export function registerMailProxy(mail: Command, end: CommandEnd): void {
  withSettings(
    mail
      .command('proxy')
      .description(
        'local IMAP / POP3 / SMTP ports for password-only mail programs; XOAUTH2 with fresh tokens upstream',
      ),
  )
    .option('--imap <spec>', 'an IMAP port: [ADDRESS:]PORT=imaps://HOST[:PORT] (repeatable)', collectOne)
    .option('--pop3 <spec>', 'a POP3 port: [ADDRESS:]PORT=pop3s://HOST[:PORT] (repeatable)', collectOne)
    .option('--smtp <spec>', 'an SMTP port: [ADDRESS:]PORT=submission://HOST[:PORT] (repeatable)', collectOne)
    .option('-q, --quiet', 'no log lines for logins and sessions')
    .addHelpText(
      'after',
      '\nWithout --imap/--pop3/--smtp on Microsoft Entra: 1143 → outlook.office365.com:993, 1110 → :995,\n1587 → smtp.office365.com:587. Set a local password first: tokenloop mail password USER',
    )
    .action(async (opts) => {
      const { runMailProxy } = await import('./run-mail-proxy.js');
      end(await runMailProxy(opts));
    });
}
