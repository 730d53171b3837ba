import type { CachedAccessToken } from '../model/account-record.js';
import type { CacheStore } from '../model/cache-store.js';

/** Refresh this long before expiry by default (as MSAL does). */
export const DEFAULT_REFRESH_AHEAD_MS = 300_000;
/** A token without `expires_in` (S14: unknown expiry) is used for at most this long after it was obtained. */
export const UNKNOWN_EXPIRY_USE_MS = 300_000;

/**
 * When a cached access token should be replaced (C6): `refreshAheadMs` (300 s) before expiry, or at the
 * provider's `refresh_in` hint, whichever is earlier — but never more than half the token's lifetime ahead,
 * so short-lived tokens are still used. All wall-clock epoch ms: a machine that slept past the time simply
 * refreshes on wake, and the provider's clock never matters (times come from our own receive time).
 */
export function refreshDueAt(token: CachedAccessToken, refreshAheadMs = DEFAULT_REFRESH_AHEAD_MS): number {
  if (token.expiresAt === undefined) return token.obtainedAt + UNKNOWN_EXPIRY_USE_MS;
  const lifetime = Math.max(0, token.expiresAt - token.obtainedAt);
  const ahead = Math.min(refreshAheadMs, lifetime / 2);
  const due = token.expiresAt - ahead;
  return token.refreshAt !== undefined ? Math.min(due, token.refreshAt) : due;
}

/** A token obtained by a clock this far ahead of ours is not used until ours catches up (the clock went back). */
const CLOCK_AHEAD_MS = 600_000;

/** True when the token can be handed out without refreshing. */
export function isFresh(
  token: CachedAccessToken,
  now: number,
  refreshAheadMs = DEFAULT_REFRESH_AHEAD_MS,
): boolean {
  return now < refreshDueAt(token, refreshAheadMs) && now >= token.obtainedAt - CLOCK_AHEAD_MS;
}

/**
 * The first time after `now` at which `isFresh` changes for any of `tokens` (Infinity: never): until then, the
 * same cache hands out the same tokens (S221: how long a copy of the CLI's answer holds).
 */
export function nextFreshnessChange(
  tokens: Iterable<CachedAccessToken>,
  now: number,
  refreshAheadMs = DEFAULT_REFRESH_AHEAD_MS,
): number {
  let next = Infinity;
  for (const t of tokens)
    for (const edge of [refreshDueAt(t, refreshAheadMs), t.obtainedAt - CLOCK_AHEAD_MS])
      if (edge > now && edge < next) next = edge;
  return next;
}

/** True while the token has not expired (still usable as a fallback when a refresh fails transiently). */
export function isUnexpired(token: CachedAccessToken, now: number): boolean {
  return token.expiresAt === undefined
    ? now < token.obtainedAt + UNKNOWN_EXPIRY_USE_MS
    : now < token.expiresAt;
}

/** nextFreshnessChange over every access token a cache store holds. */
export async function nextFreshnessChangeIn(
  store: CacheStore,
  now: number,
  refreshAheadMs = DEFAULT_REFRESH_AHEAD_MS,
): Promise<number> {
  const tokens = (await store.list()).flatMap((record) => record.accessTokens);
  return nextFreshnessChange(tokens, now, refreshAheadMs);
}
