import { type AccountInfo, toAccountInfo } from '../cache/account.js';
import { refreshDueAt } from '../cache/freshness.js';
import type { AccountRecord, CachedAccessToken } from '../model/account-record.js';

/** What every token call returns. */
export interface AuthResult {
  accessToken: string;
  /** `bearer` (lower case). */
  tokenType: string;
  /** Expiry, or undefined when the provider did not say. */
  expiresOn: Date | undefined;
  /**
   * When this client's cache stops handing the token out and renews it: the refresh-ahead rule (`refreshDueAt`:
   * 300 s before expiry, or the provider's `refresh_in`, never more than half the lifetime ahead) (S109).
   */
  refreshOn: Date;
  /** Granted scopes (lower case). */
  scopes: string[];
  /** The signed-in account (undefined for app-only tokens). */
  account: AccountInfo | undefined;
  /** The account's latest ID token, when there is one. */
  idToken?: string | undefined;
  /**
   * S161: the claims of the ID token this call received, as validated (signature, issuer, audience, times; the
   * nonce at sign-in, the same subject on refresh) — what to read a claim from, never a decoding of `idToken`.
   * Undefined when this call received no ID token: a result from the cache, a refresh without one, app-only.
   */
  idTokenClaims?: Record<string, unknown> | undefined;
  /** True when no request was made to the provider. */
  fromCache: boolean;
}

/** Build the result from a cached token and its record. */
export function toAuthResult(
  record: AccountRecord,
  token: CachedAccessToken,
  fromCache: boolean,
  appOnly = false,
  refreshAheadMs?: number,
  idTokenClaims?: Record<string, unknown>,
): AuthResult {
  return {
    accessToken: token.secret,
    tokenType: token.tokenType,
    expiresOn: token.expiresAt === undefined ? undefined : new Date(token.expiresAt),
    refreshOn: new Date(refreshDueAt(token, refreshAheadMs)),
    scopes: token.scopes,
    account: appOnly ? undefined : toAccountInfo(record.account),
    idToken: appOnly ? undefined : record.account.idToken,
    idTokenClaims: appOnly ? undefined : idTokenClaims,
    fromCache,
  };
}
