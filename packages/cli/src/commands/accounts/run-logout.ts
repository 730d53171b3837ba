import { loadSettings, makeClient } from '../../client/make-client.js';
import type { SettingFlags } from '../../config/resolve.js';
import { CliError } from '../../errors.js';
import { EXIT } from '../../exit-codes.js';
import { type AccountJson, accountJson } from '../../output/json-shapes.js';
import { jsonLine, terminalText } from '../../output/quote.js';
import { say } from '../../output/terminal.js';
import { browserAvailable } from '../login/browser-availability.js';
import { accountArgument } from '../../client/account-choice.js';
import { typedAccount } from '../../client/typed-account.js';

export interface LogoutOptions extends SettingFlags {
  all?: boolean;
  /** `--no-browser`: print the provider's sign-out URL instead of opening it. */
  browser?: boolean;
  json?: boolean;
}

/** The sign-out URL as shown to people: without `id_token_hint` (a token never goes to a terminal or log). */
function printable(url: URL): string {
  const copy = new URL(url);
  copy.searchParams.delete('id_token_hint');
  return copy.href;
}

/**
 * `tokenloop logout [ACCOUNT|--all]`: forget the account(s) and their tokens here, then end the provider's
 * browser session where it supports RP-initiated logout (opened in the browser, or printed).
 */
export async function runLogout(account: string | undefined, opts: LogoutOptions): Promise<void> {
  if (account !== undefined && opts.all) throw new CliError('give an account or --all, not both', EXIT.usage);
  const { settings, paths } = await loadSettings(opts);
  const client = await makeClient(settings, paths);
  try {
    const accounts = await client.getAccounts();
    if (!opts.all && accounts.length > 1 && account === undefined) {
      throw new CliError(
        `${accounts.length} accounts are signed in (${accounts.map((a) => terminalText(a.username ?? a.homeAccountId)).join(', ')}); say which one`,
        EXIT.usage,
        `\`tokenloop logout ${accountArgument(accounts[0]!)}\` (a username, its start or an account id), or \`tokenloop logout --all\``,
      );
    }
    // S71: a typed account name must name exactly one account.
    const chosen = opts.all
      ? accounts
      : account === undefined
        ? accounts.slice(0, 1)
        : [
            await typedAccount(client, account, 'name one by its id: `tokenloop logout ID`', {
              prefix: true,
            }).catch((err: unknown) => {
              if ((err as { code?: string }).code !== 'ACCOUNT_NOT_FOUND') throw err;
              throw new CliError(
                `no signed-in account matches ${JSON.stringify(account)}`,
                EXIT.usage,
                'see `tokenloop accounts`',
              );
            }),
          ].filter((a) => a !== undefined);
    if (chosen.length === 0) {
      say('No account is signed in.');
      if (opts.json) process.stdout.write(`${jsonLine({ signedOut: [] })}\n`);
      return;
    }
    const ended: { account: AccountJson; endSessionUrl: string | null }[] = [];
    for (const a of chosen) {
      const url = await client.endSessionUrl({ account: a }).catch(() => undefined);
      await client.removeAccount(a);
      ended.push({ account: accountJson(a), endSessionUrl: url ? printable(url) : null });
      say(`Signed out ${terminalText(a.username ?? a.homeAccountId)} on this machine.`);
      if (url) {
        if (opts.browser !== false && browserAvailable()) {
          const { openSystemBrowser } = await import('tokenloop');
          await openSystemBrowser(url).then(
            () => say("Opened the provider's sign-out page in your browser."),
            () => say(`To end the browser session too, open:\n  ${terminalText(printable(url))}`),
          );
        } else say(`To end the browser session too, open:\n  ${terminalText(printable(url))}`);
      }
    }
    if (opts.json) process.stdout.write(`${jsonLine({ signedOut: ended })}\n`);
  } finally {
    await client.close();
  }
}
