import { loadSettings, makeClient } from '../../client/make-client.js';
import type { AccountInfo } from 'tokenloop';
import { chosenAccount } from '../../client/account-choice.js';
import { loginHintFor, signInRequired } from '../../client/login-command.js';
import { providerWait } from '../../output/network-wait.js';
import { type TokenOptions, tokenFormat, tokenScopes, tokenText } from './token-request.js';

export type { TokenOptions } from './token-request.js';

/**
 * `tokenloop token`: a valid access token on stdout, from the cache or refreshed silently; nothing else is
 * printed. Exit 4 when the user must sign in (again), so that scripts can react. A cached token is usually
 * printed by the fast path (src/fast-path) before this runs; both print through token-request.ts.
 */
export async function runToken(
  opts: TokenOptions,
  out: (s: string) => void = (s) => process.stdout.write(s),
): Promise<void> {
  const format = tokenFormat(opts);
  const { settings, paths } = await loadSettings(opts);
  const scopes = tokenScopes(opts, settings);
  // S199: a wait for the provider says what it waits for, as login's does.
  const wait = await providerWait(settings);
  const client = await makeClient(settings, paths, { onRetry: wait.onRetry });
  let account: AccountInfo | undefined;
  try {
    account = await chosenAccount(client, settings, opts.account, 'token');
    wait.start();
    out(
      await tokenText(client, {
        account,
        scopes,
        format,
        forceRefresh: opts.forceRefresh,
        user: settings.user,
      }),
    );
  } catch (err) {
    // Issue 14, finding 4: the fix signs in for these scopes, as this account, where this command looked.
    throw signInRequired(err, settings, { scopes, loginHint: loginHintFor(account, opts.account) }) ?? err;
  } finally {
    wait.stop();
    await client.close();
  }
}
