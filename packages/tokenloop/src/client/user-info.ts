import { TokenloopError } from '../errors/errors.js';
import type { AccountLookup, AccountSelector } from './account-lookup.js';
import type { AuthResult } from './auth-result.js';
import { type ClientContext, grantContext, grants } from './client-context.js';

/**
 * The provider's userinfo claims for an account, fetched with a fresh access token of the client's own
 * `acquireTokenSilent`; the response must be about the ID token's `sub` (S37).
 */
export async function getUserInfo(
  c: ClientContext,
  accounts: AccountLookup,
  acquireTokenSilent: (opts: {
    account: string;
    scopes: string[];
    signal?: AbortSignal;
  }) => Promise<AuthResult>,
  opts: { account?: AccountSelector; signal?: AbortSignal },
): Promise<Record<string, unknown>> {
  const record = await accounts.find(opts.account);
  const subject = record.account.idTokenSubject;
  if (subject === undefined)
    throw new TokenloopError(
      'CONFIGURATION',
      'userinfo needs an OpenID Connect sign-in (this account has no ID token)',
    );
  const scopes = c.authority.kind === 'entra' ? ['User.Read'] : ['openid'];
  const { accessToken } = await acquireTokenSilent({
    account: record.account.homeAccountId,
    scopes,
    ...(opts.signal ? { signal: opts.signal } : {}),
  });
  return (await grants()).userInfo(await grantContext(c, opts.signal), accessToken, subject, opts.signal);
}
