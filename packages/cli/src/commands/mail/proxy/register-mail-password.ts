import type { Command } from 'commander';

/** `tokenloop mail password`: the local passwords `mail proxy` checks; its code is imported only when it runs. */
export function registerMailPassword(mail: Command): void {
  mail
    .command('password')
    .argument('<user>', 'the mailbox address the mail program logs in with')
    .description('set the local password a mail program gives `mail proxy` (random and printed, or --stdin)')
    .option('--stdin', 'read the password from standard input instead of making one')
    .option('--remove', "remove the user's local password")
    .action(async (user: string, opts) => {
      const { runMailPassword } = await import('./run-mail-password.js');
      await runMailPassword(user, opts);
    });
}
