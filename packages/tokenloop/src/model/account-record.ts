/**
 * What the token cache holds. One `AccountRecord` per (environment, client, account): the account, its one
 * refresh token (which serves every resource the account consented to) and its access tokens per resource.
 * App-only and on-behalf-of tokens live in records of their own (cache/app-accounts.ts).
 *
 * Times are wall-clock epoch milliseconds (C6: they survive suspend and restarts). Stores persist records
 * as JSON; `parseAccountRecord` (cache/parse-record.ts) re-validates anything read back.
 */
export const CACHE_SCHEMA_VERSION = 1;

export interface CachedAccount {
  /** Stable account key: Entra `oid.tid`, otherwise `sub` + issuer (S38). Never email or UPN. */
  homeAccountId: string;
  /** Where the account signed in: Entra canonical host (`login.microsoftonline.com`) or the issuer URL. */
  environment: string;
  /** The issuer that vouched for the account (the ID token's `iss`). */
  issuer: string;
  /** Entra tenant id (`tid`), when known. */
  tenantId?: string | undefined;
  /** `oid` on Entra, `sub` elsewhere. */
  localAccountId: string;
  /** Display only: `preferred_username` / email. Never used as a key. */
  username?: string | undefined;
  name?: string | undefined;
  /** The latest ID token's `sub`, `iss`, `aud`, kept to refuse a refreshed ID token about someone else (S36). */
  idTokenSubject?: string | undefined;
  /** The latest raw ID token, if any. */
  idToken?: string | undefined;
  /** Its expiry, epoch ms. */
  idTokenExpiresAt?: number | undefined;
}

export interface CachedRefreshToken {
  secret: string;
  /** When it was obtained (epoch ms). */
  obtainedAt: number;
  /** Expiry if the provider told us (`refresh_token_expires_in`), else undefined. */
  expiresAt?: number | undefined;
  /** Scopes granted with it (all resources), for information. */
  scopes: string[];
}

export interface CachedAccessToken {
  secret: string;
  /** `bearer` (lower case) or another recognised type. */
  tokenType: string;
  /** Resource the token is for: Entra resource URI (`https://graph.microsoft.com`), API client id, or '' for "the default". */
  resource: string;
  /** Scopes granted, as the provider returned them (S14), lower-cased for matching. */
  scopes: string[];
  obtainedAt: number;
  /** Expiry, epoch ms; undefined when the provider sent no `expires_in` (S14: unknown). */
  expiresAt?: number | undefined;
  /** Provider's hint for proactive refresh (`refresh_in`), epoch ms. */
  refreshAt?: number | undefined;
  /** Entra `ext_expires_in`: usable during an outage until then. */
  extExpiresAt?: number | undefined;
}

export interface AccountRecord {
  v: typeof CACHE_SCHEMA_VERSION;
  /** Partition key: `${environment}|${clientId}|${homeAccountId}` (see `recordKey`). */
  key: string;
  clientId: string;
  /** Authority the tokens were obtained from (URL string), for refresh. */
  authority: string;
  account: CachedAccount;
  refreshToken?: CachedRefreshToken | undefined;
  accessTokens: CachedAccessToken[];
  /** Last time anything changed, epoch ms. */
  updatedAt: number;
}

/** The partition key of an account's record. */
export function recordKey(environment: string, clientId: string, homeAccountId: string): string {
  return `${environment}|${clientId}|${homeAccountId}`;
}
