import {
  type AccountRecord,
  CACHE_SCHEMA_VERSION,
  type CachedAccessToken,
  type CachedAccount,
  type CachedRefreshToken,
} from '../model/account-record.js';

/** The check of a record read back from a store (the records themselves: model/account-record.ts). */
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
