import { type AccountInfo, toAccountInfo } from '../cache/account.js';
import type { AccountRecord, CachedAccessToken } from '../cache/model.js';

/** What every token call returns. */
export interface AuthResult {
  accessToken: string;
  /** `bearer` (lower case). */
  tokenType: string;
  /** Expiry, or undefined when the provider did not say. */
  expiresOn: Date | undefined;
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
): AuthResult {
  return {
    accessToken: token.secret,
    tokenType: token.tokenType,
    expiresOn: token.expiresAt === undefined ? undefined : new Date(token.expiresAt),
    scopes: token.scopes,
    account: appOnly ? undefined : toAccountInfo(record.account),
    idToken: appOnly ? undefined : record.account.idToken,
    fromCache,
  };
}
