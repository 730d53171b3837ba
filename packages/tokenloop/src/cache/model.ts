/**
 * What the token cache holds. One `AccountRecord` per (environment, client, account): the account, its one
 * refresh token (which serves every resource the account consented to) and its access tokens per resource.
 * App-only tokens (client credentials) live in a record whose account key is `app:<tenant>`.
 *
 * Times are wall-clock epoch milliseconds (C6: they survive suspend and restarts). Stores persist records
 * as JSON; `parseAccountRecord` re-validates anything read back.
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

const isStr = (v: unknown): v is string => typeof v === 'string';
const isOptStr = (v: unknown): v is string | undefined => v === undefined || typeof v === 'string';
const isNum = (v: unknown): v is number => typeof v === 'number' && Number.isFinite(v);
const isOptNum = (v: unknown): v is number | undefined => v === undefined || isNum(v);
const isStrArr = (v: unknown): v is string[] => Array.isArray(v) && v.every(isStr);
const isObj = (v: unknown): v is Record<string, unknown> =>
  typeof v === 'object' && v !== null && !Array.isArray(v);

function validAccount(a: unknown): a is CachedAccount {
  return (
    isObj(a) &&
    isStr(a.homeAccountId) &&
    isStr(a.environment) &&
    isStr(a.issuer) &&
    isStr(a.localAccountId) &&
    isOptStr(a.tenantId) &&
    isOptStr(a.username) &&
    isOptStr(a.name) &&
    isOptStr(a.idTokenSubject) &&
    isOptStr(a.idToken) &&
    isOptNum(a.idTokenExpiresAt)
  );
}

function validRefresh(r: unknown): r is CachedRefreshToken | undefined {
  return (
    r === undefined ||
    (isObj(r) && isStr(r.secret) && isNum(r.obtainedAt) && isOptNum(r.expiresAt) && isStrArr(r.scopes))
  );
}

function validAccess(t: unknown): t is CachedAccessToken {
  return (
    isObj(t) &&
    isStr(t.secret) &&
    isStr(t.tokenType) &&
    isStr(t.resource) &&
    isStrArr(t.scopes) &&
    isNum(t.obtainedAt) &&
    isOptNum(t.expiresAt) &&
    isOptNum(t.refreshAt) &&
    isOptNum(t.extExpiresAt)
  );
}

/**
 * Validate a record read back from a store. Returns undefined for anything malformed (the caller decides
 * whether that means quarantine). Unknown extra members are dropped.
 */
export function parseAccountRecord(value: unknown): AccountRecord | undefined {
  if (!isObj(value) || value.v !== CACHE_SCHEMA_VERSION) return undefined;
  if (!isStr(value.key) || !isStr(value.clientId) || !isStr(value.authority) || !isNum(value.updatedAt))
    return undefined;
  if (!validAccount(value.account) || !validRefresh(value.refreshToken)) return undefined;
  if (!Array.isArray(value.accessTokens) || !value.accessTokens.every(validAccess)) return undefined;
  return {
    v: CACHE_SCHEMA_VERSION,
    key: value.key,
    clientId: value.clientId,
    authority: value.authority,
    account: value.account,
    refreshToken: value.refreshToken,
    accessTokens: value.accessTokens,
    updatedAt: value.updatedAt,
  };
}
