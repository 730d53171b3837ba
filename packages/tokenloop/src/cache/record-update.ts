import { isGuid } from '../authority/authority.js';
import type { TokenSet } from '../model/token-set.js';
import { isFresh } from './freshness.js';
import {
  type AccountRecord,
  type CachedAccessToken,
  type CachedAccount,
  CACHE_SCHEMA_VERSION,
} from '../model/account-record.js';
import { scopesCover } from './resource.js';

/** What a token response is stored under. */
export interface StoreContext {
  key: string;
  clientId: string;
  authority: string;
  resource: string;
  /** Normalised requested scopes (`resourceScopes`). */
  requestedScopes: string[];
  /** Normalised granted scopes, or undefined when the response did not say (then: as requested). */
  grantedScopes: string[] | undefined;
}

/** How specific an authority URL's tenant is: a domain (2), a tenant id (1), or several tenants (0). */
function specificity(authority: string): number {
  const tenant = (URL.canParse(authority) ? new URL(authority).pathname : '').split('/').filter(Boolean)[0];
  if (tenant === undefined || /^(common|organizations|consumers)$/i.test(tenant)) return 0;
  return isGuid(tenant) ? 1 : 2;
}

/**
 * S130: the authority a record remembers. A record's tenant never changes (its key holds it), so the most specific
 * authority it signed in through stays true of it: a domain authority, whose tenant id is not known offline,
 * keeps knowing its accounts after they renew tokens through `organizations`, `common` or the tenant's id.
 */
function recordedAuthority(current: string | undefined, next: string): string {
  return current !== undefined && specificity(current) > specificity(next) ? current : next;
}

/**
 * Fold a token response into an account's record: the access token replaces any for the same resource whose
 * scopes it covers; a new refresh token replaces the old one, and without one the old one is kept (S15); the
 * account's display data and ID token are updated.
 */
export function applyTokenSet(
  current: AccountRecord | undefined,
  account: CachedAccount,
  tokens: TokenSet,
  ctx: StoreContext,
): AccountRecord {
  const granted = ctx.grantedScopes ?? ctx.requestedScopes;
  // A `.default` request is answered with the consented scopes; remember the request so it matches next time.
  const scopes = [
    ...new Set([...granted, ...ctx.requestedScopes.filter((s) => s.endsWith('.default'))]),
  ].sort();
  const fresh: CachedAccessToken = {
    secret: tokens.accessToken,
    tokenType: tokens.tokenType,
    resource: ctx.resource,
    scopes,
    obtainedAt: tokens.obtainedAt,
    expiresAt: tokens.expiresAt,
    refreshAt: tokens.refreshAt,
    extExpiresAt: tokens.extExpiresAt,
  };
  const kept = (current?.accessTokens ?? []).filter(
    (t) => !(t.resource === ctx.resource && scopesCover(scopes, t.scopes)),
  );
  const refreshToken = tokens.refreshToken
    ? {
        secret: tokens.refreshToken,
        obtainedAt: tokens.obtainedAt,
        expiresAt: tokens.refreshTokenExpiresAt,
        scopes: granted,
      }
    : current?.refreshToken;
  return {
    v: CACHE_SCHEMA_VERSION,
    key: ctx.key,
    clientId: ctx.clientId,
    authority: recordedAuthority(current?.authority, ctx.authority),
    account: tokens.idToken
      ? account
      : {
          ...account,
          idToken: current?.account.idToken,
          idTokenExpiresAt: current?.account.idTokenExpiresAt,
        },
    refreshToken,
    accessTokens: [...kept, fresh],
    updatedAt: Date.now(),
  };
}

/** A cached access token for `resource` covering `scopes` that needs no refresh yet, if any. */
export function findFreshToken(
  record: AccountRecord | undefined,
  resource: string,
  scopes: readonly string[],
  now: number,
  refreshAheadMs?: number,
): CachedAccessToken | undefined {
  if (!record) return undefined;
  for (const t of record.accessTokens) {
    if (t.resource === resource && scopesCover(t.scopes, scopes) && isFresh(t, now, refreshAheadMs)) return t;
  }
  return undefined;
}

/** Drop access tokens that expired long ago (keeps records small). */
export function pruneExpired(record: AccountRecord, now: number): AccountRecord {
  const accessTokens = record.accessTokens.filter(
    (t) => t.expiresAt === undefined || t.expiresAt > now - 3600_000,
  );
  return accessTokens.length === record.accessTokens.length ? record : { ...record, accessTokens };
}
