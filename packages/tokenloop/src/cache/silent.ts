import { OAuthError, TokenloopError, isTransient, needsSignIn } from '../errors/errors.js';
import type { TokenSet } from '../model/token-set.js';
import { debug } from '../log/debug.js';
import { isUnexpired } from './freshness.js';
import type { AccountRecord, CachedAccessToken, CachedAccount } from '../model/account-record.js';
import { applyTokenSet, findFreshToken, pruneExpired } from './record-update.js';
import { scopesCover } from './resource.js';
import { createSingleFlight } from './single-flight.js';
import type { CacheStore } from '../model/cache-store.js';

/** What silent acquisition needs from the client: the store and how to redeem a refresh token. */
export interface SilentContext {
  store: CacheStore;
  /**
   * Get new tokens (network): redeem the record's refresh token, or for app-only records run the grant
   * again (client credentials, on-behalf-of). Must validate any ID token against the account (S36).
   */
  refresh(
    record: AccountRecord | undefined,
    scopes: readonly string[],
    signal?: AbortSignal,
    claims?: string,
  ): Promise<TokenSet>;
  /** The account as updated by a response. */
  accountAfterRefresh(record: AccountRecord | undefined, tokens: TokenSet): CachedAccount;
  /**
   * `user` (default): a signed-in account whose record must exist and hold a refresh token. `app`: the record
   * is created on first use and renewed by repeating the grant (`refresh` gets no refresh token to use).
   */
  mode?: 'user' | 'app';
  clientId: string;
  /** The authority URL recorded with new records. */
  authority: string;
  /** Normalise scopes for matching (`resourceScopes` with the authority's kind). */
  normalizeScopes(scopes: readonly string[]): string[];
  refreshAheadMs?: number | undefined;
  now?: () => number;
}

export interface SilentRequest {
  key: string;
  resource: string;
  /** Normalised scopes used for matching (`resourceScopes`). */
  matchScopes: string[];
  /** Scopes exactly as sent to the provider on refresh. */
  requestScopes: readonly string[];
  forceRefresh?: boolean | undefined;
  /**
   * S105: a resource's claims challenge (checked by `checkClaims`): never answered from the cache nor by a
   * renewal without it; sent with the request, and the token it brings replaces the cached one.
   */
  claims?: string | undefined;
  signal?: AbortSignal | undefined;
}

export interface SilentResult {
  record: AccountRecord;
  token: CachedAccessToken;
  /** True when no request was made (served from the cache, possibly refreshed by another process). */
  fromCache: boolean;
  /** The validated claims of the ID token the renewal brought, when it brought one (S161). */
  idTokenClaims?: Record<string, unknown> | undefined;
}

function interactionRequired(message: string, cause?: unknown, remediation?: string): TokenloopError {
  return new TokenloopError('INTERACTION_REQUIRED', message, {
    cause,
    remediation: remediation ?? 'Sign in again interactively.',
  });
}

/**
 * Silent acquisition (C4–C6). Fast path: one store read and a scan of the account's few tokens. Slow path,
 * single-flight per (account, resource, scopes) in this process and under the store's cross-process lock:
 * re-read, and refresh only if still stale; persist atomically; transient failures keep every token and fall
 * back to a still-unexpired access token (C5).
 */
export function createSilentAcquirer(ctx: SilentContext): (req: SilentRequest) => Promise<SilentResult> {
  const flight = createSingleFlight<SilentResult>();
  const now = ctx.now ?? Date.now;
  const appMode = ctx.mode === 'app';
  const notFound = () =>
    new TokenloopError('ACCOUNT_NOT_FOUND', 'no cached sign-in for this account', {
      remediation: 'Sign in first.',
    });
  return async (req) => {
    // S105: a claims challenge means the cached token was refused: it goes to the provider, like forceRefresh.
    const renew = req.forceRefresh === true || req.claims !== undefined;
    if (!renew) {
      const record = await ctx.store.get(req.key);
      const token = findFreshToken(record, req.resource, req.matchScopes, now(), ctx.refreshAheadMs);
      if (record && token) return { record, token, fromCache: true };
      if (!record && !appMode) throw notFound();
    }
    // A claims request shares no flight with a renewal without those claims (S105).
    const flightKey = `${req.key}\n${req.resource}\n${req.matchScopes.join(' ')}\n${req.claims ?? ''}`;
    return flight(flightKey, () =>
      ctx.store.transact<SilentResult>(req.key, async (current) => {
        if (!current && !appMode) throw notFound();
        if (current && !renew) {
          const token = findFreshToken(current, req.resource, req.matchScopes, now(), ctx.refreshAheadMs);
          if (token) return { result: { record: current, token, fromCache: true } };
        }
        if (!appMode && !current?.refreshToken) {
          throw interactionRequired('the cached token needs renewing and there is no refresh token');
        }
        let tokens: TokenSet;
        try {
          debug(
            'cache',
            `renewing ${req.resource || 'token'} for ${current?.account.homeAccountId ?? req.key}`,
          );
          tokens = await ctx.refresh(current, req.requestScopes, req.signal, req.claims);
        } catch (err) {
          if (isTransient(err)) {
            const fallback = current?.accessTokens.find(
              (t) =>
                t.resource === req.resource &&
                scopesCover(t.scopes, req.matchScopes) &&
                isUnexpired(t, now()),
            );
            if (current && fallback && !renew)
              return { result: { record: current, token: fallback, fromCache: true } };
            throw err;
          }
          // The record was re-read under the lock, so this refresh token really is the latest (C5). It is kept:
          // an interactive sign-in replaces it, and nothing is lost if the failure was the provider's mistake.
          // S186: the library's one "needs sign-in" rule decides which provider errors ask for a sign-in.
          if (err instanceof OAuthError && needsSignIn(err)) {
            throw interactionRequired(err.message, err, err.remediation);
          }
          throw err;
        }
        const next = pruneExpired(
          applyTokenSet(current, ctx.accountAfterRefresh(current, tokens), tokens, {
            key: req.key,
            clientId: ctx.clientId,
            authority: ctx.authority,
            resource: req.resource,
            requestedScopes: req.matchScopes,
            grantedScopes: ctx.normalizeScopes(tokens.scopes),
          }),
          now(),
        );
        const token = next.accessTokens.at(-1);
        if (!token) throw new TokenloopError('CACHE', 'internal error: refreshed token missing');
        return {
          next,
          result: { record: next, token, fromCache: false, idTokenClaims: tokens.idTokenClaims },
        };
      }),
    );
  };
}
