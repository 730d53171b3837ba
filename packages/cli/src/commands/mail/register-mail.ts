import { type Command, Option } from 'commander';
import { withSettings } from '../../config/settings-options.js';
import type { CommandEnd } from '../../exit-codes.js';
import { MAIL_MECHANISMS } from './mail-mechanisms.js';
import { registerMailPassword } from './proxy/register-mail-password.js';
import { registerMailProxy } from './proxy/register-mail-proxy.js';

/** `tokenloop mail test|proxy|password`: their options; their code is imported only when one runs. */
export function registerMail(program: Command, end: CommandEnd): void {
  const mail = program.command('mail').description('mail over OAuth 2.0 (XOAUTH2 / OAUTHBEARER)');
  withSettings(
    mail
      .command('test')
      .argument('<url>', 'imap|imaps|pop3|pop3s|smtp|submission[s]://HOST[:PORT]')
      .description('log in to a mail server with a fresh token and report what happened'),
    { user: true },
  )
    .addOption(new Option('--mechanism <name>', 'SASL mechanism').choices(MAIL_MECHANISMS).default('xoauth2'))
    .option('--insecure', 'accept a self-signed server certificate')
    .option('--token-stdin', 'test the access token on standard input instead of one from the cache')
    .option('--json', 'print the result as JSON')
    .action(async (url: string, opts) => {
      const { runMailTest } = await import('./run-mail-test.js');
      end(await runMailTest(url, opts));
    });
  registerMailProxy(mail, end);
  registerMailPassword(mail);
}
