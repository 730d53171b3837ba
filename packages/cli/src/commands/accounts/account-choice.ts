import type { AccountInfo, TokenClient } from 'tokenloop';
import type { Settings } from '../../config/resolve.js';
import { CliError } from '../../errors.js';
import { EXIT } from '../../exit-codes.js';
import { terminalText } from '../../output/quote.js';
import { typedAccount } from './typed-account.js';

/** How to name an account in a command a person may copy: its username when that is one plain word, else its id. */
export function accountArgument(a: AccountInfo): string {
  const plain = /^[\w.@+-]+$/;
  if (a.username && plain.test(a.username)) return a.username;
  return plain.test(a.homeAccountId) ? a.homeAccountId : 'NAME';
}

/**
 * The account a command acts for (issue 14, finding 2): the one named with `--account` (a username, the start
 * of exactly one, or an id: S71), else the profile's default account while it is signed in, else the only
 * account signed in (undefined: the library then says whether anyone is). Several and none chosen: a usage
 * error naming them and both ways to choose, each a command that works as printed.
 */
export async function chosenAccount(
  client: TokenClient,
  settings: Settings,
  typed: string | undefined,
  command: string,
): Promise<AccountInfo | undefined> {
  if (typed !== undefined)
    return typedAccount(client, typed, `name one by its id: \`tokenloop ${command} --account ID\``, {
      prefix: true,
    });
  const preferred = settings.profile?.account;
  if (preferred !== undefined) {
    const account = await client.getAccount(preferred);
    if (account) return account;
  }
  const accounts = await client.getAccounts();
  if (accounts.length <= 1) return accounts[0];
  const names = accounts.map((a) => terminalText(a.username ?? a.homeAccountId)).join(', ');
  const example = accountArgument(accounts[0]!);
  throw new CliError(
    `${accounts.length} accounts are signed in (${names}) and none is the default`,
    EXIT.usage,
    settings.profileName !== undefined && settings.profile !== undefined
      ? `name one for this command with \`tokenloop ${command} --account ${example}\`, or make one the default of profile "${settings.profileName}": \`tokenloop account use ${example}\``
      : `name one with \`tokenloop ${command} --account ${example}\``,
  );
}
