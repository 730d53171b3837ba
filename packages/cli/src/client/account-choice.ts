import type { AccountInfo, TokenClient } from 'tokenloop';
import { profileAccount } from 'tokenloop/cli-state';
import { flagsLeaveProfile } from '../config/remember-login.js';
import type { Settings } from '../config/resolve.js';
import { CliError } from '../errors.js';
import { EXIT } from '../exit-codes.js';
import { terminalText } from '../output/quote.js';
import { whereFlags } from './login-command.js';
import { typedAccount } from './typed-account.js';

/** How to name an account in a command a person may copy: its username when that is one plain word, else its id. */
export function accountArgument(a: AccountInfo): string {
  const plain = /^[\w.@+-]+$/;
  if (a.username && plain.test(a.username)) return a.username;
  return plain.test(a.homeAccountId) ? a.homeAccountId : 'NAME';
}

/**
 * What to do when a typed name matches several accounts: name one by its id, where the
 * command looked (S131: the ids `accounts` lists there).
 */
function byId(command: 'token' | 'whoami', settings: Settings): string {
  const where = whereFlags(settings);
  const run = (words: string[]) => `\`${words.join(' ')}\``;
  return `name one by its id: ${run(['tokenloop', command, ...where, '--account', 'ID'])} (ids: ${run(['tokenloop', 'accounts', ...where])})`;
}

/**
 * S131: the account a profile acts for when none is named — the library's rule (tokenloop/cli-state, S106) over
 * the accounts usable there (S130) — or undefined when none or several are. `accounts` and `status` mark it.
 */
export async function defaultAccount(
  client: TokenClient,
  settings: Settings,
): Promise<AccountInfo | undefined> {
  const choice = await profileAccount(client, settings.profile);
  return choice.kind === 'one' ? choice.account : undefined;
}

/**
 * The account a command acts for: the one named with `--account` (a username, the start
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
  if (typed !== undefined) return typedAccount(client, typed, byId(command, settings), { prefix: true });
  // S106: the library's rule, shared with tokenloop/azure's CLI credential.
  const choice = await profileAccount(client, settings.profile);
  if (choice.kind !== 'several') return choice.kind === 'one' ? choice.account : undefined;
  const accounts = choice.accounts;
  const names = accounts.map((a) => terminalText(a.username ?? a.homeAccountId)).join(', ');
  const example = accountArgument(accounts[0]!);
  // S131: the accounts named are those usable where the command looked; the fix is about that profile (--profile),
  // and a one-off tenant, provider or app (S132) is never made a profile's default: --account names one there.
  const oneOff = settings.tenant !== undefined || flagsLeaveProfile(settings);
  const each = `\`${['tokenloop', command, ...whereFlags(settings), '--account', example].join(' ')}\``;
  const profile = settings.profileName !== undefined && settings.profile !== undefined && !oneOff;
  throw new CliError(
    `${accounts.length} accounts are signed in (${names}) and none is the default`,
    EXIT.usage,
    profile
      ? `make one the default of profile "${settings.profileName}": \`tokenloop account use ${example} --profile ${settings.profileName}\`, or name one each time with --account: ${each}`
      : `name one with --account: ${each}`,
  );
}
