import type { AccountInfo, TokenClient } from 'tokenloop';
import { profileAccount } from 'tokenloop/cli-state';
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

/** What to do when a typed name matches several accounts: name one by its id (issue 14, finding 4). */
const BY_ID: Record<'token' | 'whoami', string> = {
  token: 'name one by its id: `tokenloop token --account ID` (ids: `tokenloop accounts`)',
  whoami: 'name one by its id: `tokenloop whoami --account ID` (ids: `tokenloop accounts`)',
};

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
  command: 'token' | 'whoami',
): Promise<AccountInfo | undefined> {
  if (typed !== undefined) return typedAccount(client, typed, BY_ID[command], { prefix: true });
  // S106: the library's rule, shared with tokenloop/azure's CLI credential.
  const choice = await profileAccount(client, settings.profile);
  if (choice.kind !== 'several') return choice.kind === 'one' ? choice.account : undefined;
  const accounts = choice.accounts;
  const names = accounts.map((a) => terminalText(a.username ?? a.homeAccountId)).join(', ');
  const example = accountArgument(accounts[0]!);
  const profile = settings.profileName !== undefined && settings.profile !== undefined;
  throw new CliError(
    `${accounts.length} accounts are signed in (${names}) and none is the default`,
    EXIT.usage,
    profile
      ? `make one the default of profile "${settings.profileName}": \`tokenloop account use ${example}\`, or name one each time with --account (e.g. --account ${example})`
      : `name one with --account, e.g. --account ${example}`,
  );
}
