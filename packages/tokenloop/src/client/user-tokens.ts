import { accountFromTokenSet } from '../cache/account.js';
import type { AccountRecord, CachedAccount } from '../model/account-record.js';
import { applyTokenSet } from '../cache/record-update.js';
import type { SilentRequest, SilentResult } from '../cache/silent.js';
import { TokenloopError } from '../errors/errors.js';
import type { TokenSet } from '../model/token-set.js';
import type { AccountLookup } from './account-lookup.js';
import type { AuthResult } from './auth-result.js';
import { checkClaims } from '../model/claims-request.js';
import { acquireResult, clientAcquirer } from './client-acquirer.js';
import {
  type ClientContext,
  grantContext,
  grants,
  keyOf,
  normalizeScopes,
  resultOf,
  scopeRequest,
} from './client-context.js';
import type { SilentOptions } from './create-client.js';

/** `acquireTokenSilent`: a signed-in account's token from the cache, else by its refresh token (single-flight). */
export function silentTokenAcquirer(
  c: ClientContext,
  accounts: AccountLookup,
): (opts: SilentOptions) => Promise<AuthResult> {
  const silent = userTokenAcquirer(c);
  return async (opts) => {
    if (!Array.isArray(opts?.scopes))
      throw new TokenloopError('INVALID_ARGUMENT', 'acquireTokenSilent needs scopes');
    const claims = checkClaims(opts.claims); // S105: refused before anything else
    // S70: an account is its exact key; none given: the only account. S130: either way an account of the
    // tenant this authority names, or none (sign-in required) — never another tenant's token or refresh.
    const key = (await accounts.find(opts.account)).key;
    return acquireResult(c, silent, key, { ...opts, claims }, false);
  };
}

/** Silent acquisition for signed-in users: the cache, else the record's refresh token (single-flight). */
function userTokenAcquirer(c: ClientContext): (req: SilentRequest) => Promise<SilentResult> {
  return clientAcquirer(c, {
    refresh: (record, scopes, signal, claims) => redeemRefreshToken(c, record, scopes, signal, claims),
    accountAfterRefresh: (record, tokens) => accountAfterRefresh(c, record, tokens),
  });
}

async function redeemRefreshToken(
  c: ClientContext,
  record: AccountRecord | undefined,
  scopes: readonly string[],
  signal?: AbortSignal,
  claims?: string,
): Promise<TokenSet> {
  if (!record?.refreshToken) throw new TokenloopError('INTERACTION_REQUIRED', 'no refresh token');
  return (await grants()).refresh(
    await grantContext(c, signal),
    record.refreshToken.secret,
    scopes,
    record.account,
    signal,
    claims,
  );
}

function accountAfterRefresh(
  c: ClientContext,
  record: AccountRecord | undefined,
  tokens: TokenSet,
): CachedAccount {
  if (!tokens.idTokenClaims) return record?.account ?? accountFromTokenSet(tokens, c.authority);
  // A refreshed ID token may carry fewer claims (narrower scope): keep what it does not restate.
  const next = accountFromTokenSet(tokens, c.authority);
  return {
    ...next,
    username: next.username ?? record?.account.username,
    name: next.name ?? record?.account.name,
  };
}

/** A sign-in's tokens into the cache, under the account they are about; its result. */
export async function rememberSignIn(
  c: ClientContext,
  tokens: TokenSet,
  requestedScopes: readonly string[],
): Promise<AuthResult> {
  const account = accountFromTokenSet(tokens, c.authority);
  const key = keyOf(c, account.homeAccountId);
  const { resource, matchScopes } = scopeRequest(c, requestedScopes);
  return c.store.transact(key, async (current) => {
    const next = applyTokenSet(current, account, tokens, {
      key,
      clientId: c.clientId,
      authority: c.authority.url,
      resource,
      requestedScopes: matchScopes,
      grantedScopes: normalizeScopes(c, tokens.scopes),
    });
    const token = next.accessTokens.at(-1)!;
    return { next, result: resultOf(c, next, token, false, false, tokens.idTokenClaims) };
  });
}
