import type { AccountInfo } from '../cache/account.js';
import type { TokenClient } from '../client/create-client.js';
import type { Profile } from './profiles-file.js';

/** Who a profile acts for, when no account is named. */
export type ProfileAccount =
  { kind: 'one'; account: AccountInfo } | { kind: 'none' } | { kind: 'several'; accounts: AccountInfo[] };

/**
 * The account a profile acts for: its default account while that one is signed in, else
 * the only account signed in with the client; `none` when nobody is, `several` when more are and none is the
 * default. S106: the command line (`token`, `whoami`) and tokenloop/azure's CLI credential share this rule.
 */
export async function profileAccount(
  client: TokenClient,
  profile: Profile | undefined,
): Promise<ProfileAccount> {
  if (profile?.account !== undefined) {
    const account = await client.getAccount(profile.account);
    if (account) return { kind: 'one', account };
  }
  const accounts = await client.getAccounts();
  if (accounts.length === 0) return { kind: 'none' };
  if (accounts.length === 1) return { kind: 'one', account: accounts[0]! };
  return { kind: 'several', accounts };
}
