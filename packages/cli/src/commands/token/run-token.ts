import { loadSettings, makeClient } from '../../client/make-client.js';
import type { SettingFlags } from '../../config/resolve.js';
import { CliError } from '../../errors.js';
import { EXIT } from '../../exit-codes.js';
import type { AccountInfo } from 'tokenloop';
import { chosenAccount } from '../accounts/account-choice.js';
import { loginHintFor, signInRequired } from '../login/login-command.js';
import { TOKEN_FORMATS, type TokenFormat, formatToken } from '../../output/token-format.js';

export interface TokenOptions extends SettingFlags {
  /** An Entra resource (`https://outlook.office.com`): asks for its `.default` scope. */
  resource?: string;
  format?: string;
  /** Which signed-in account (username or id) when there are several. */
  account?: string;
  /** Refresh even if the cached token is still fresh. */
  forceRefresh?: boolean;
}

/**
 * `tokenloop token`: a valid access token on stdout, from the cache or refreshed silently; nothing else is
 * printed. Exit 4 when the user must sign in (again), so that scripts can react.
 */
export async function runToken(
  opts: TokenOptions,
  out: (s: string) => void = (s) => process.stdout.write(s),
): Promise<void> {
  const format = (opts.format ?? 'raw') as TokenFormat;
  if (!TOKEN_FORMATS.includes(format)) {
    throw new CliError(
      `unknown --format ${JSON.stringify(opts.format)}`,
      EXIT.usage,
      `use one of ${TOKEN_FORMATS.join(', ')}`,
    );
  }
  if (opts.resource !== undefined && opts.scope?.length)
    throw new CliError('give --scope or --resource, not both', EXIT.usage);
  const { settings, paths } = await loadSettings(opts);
  const scopes =
    opts.resource !== undefined ? [`${opts.resource.replace(/\/+$/, '')}/.default`] : settings.scopes;
  const client = await makeClient(settings, paths);
  let account: AccountInfo | undefined;
  try {
    account = await chosenAccount(client, settings, opts.account, 'token');
    const result = await client.acquireTokenSilent({
      scopes,
      ...(account ? { account } : {}),
      ...(opts.forceRefresh ? { forceRefresh: true } : {}),
    });
    out(formatToken(result, format, { user: settings.user }));
  } catch (err) {
    // Issue 14, finding 4: the fix signs in for these scopes, as this account, where this command looked.
    throw signInRequired(err, settings, { scopes, loginHint: loginHintFor(account, opts.account) }) ?? err;
  } finally {
    await client.close();
  }
}
