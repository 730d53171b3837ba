import { type AccountInfo, toAccountInfo } from '../cache/account.js';
import { refreshDueAt } from '../cache/freshness.js';
import type { AccountRecord, CachedAccessToken } from '../cache/model.js';

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
  /** The account's latest ID token and its validated claims, when there is one. */
  idToken?: string | undefined;
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
): AuthResult {
  return {
    accessToken: token.secret,
    tokenType: token.tokenType,
    expiresOn: token.expiresAt === undefined ? undefined : new Date(token.expiresAt),
    refreshOn: new Date(refreshDueAt(token, refreshAheadMs)),
    scopes: token.scopes,
    account: appOnly ? undefined : toAccountInfo(record.account),
    idToken: appOnly ? undefined : record.account.idToken,
    fromCache,
  };
}
