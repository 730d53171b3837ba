import { randomBytes } from 'node:crypto';
import type { CheckedOptions } from '../options.js';
import { type CookiePolicy, clearCookie, setCookie } from './cookies.js';

/**
 * The transaction cookie (S04, S55): an opaque single-use id that binds a sign-in in progress to the browser
 * that started it, on the callback path only. With form_post it is SameSite=None (the provider's POST is
 * cross-site), and it also binds that sign-in's same-site finishing step (S54).
 */
export const TX_COOKIE = 'tl_tx';
/** How long a sign-in may stay at the provider. */
export const TX_TTL_MS = 10 * 60_000;
/** How long a sign-in may take from storing the tokens to its session joining the account (S54, S99). */
export const SIGN_IN_FINISH_MS = 30_000;

/** A new opaque id (session, transaction): 32 random bytes. */
export const newId = (): string => randomBytes(32).toString('base64url');
/** The shape of every id `newId` makes; anything else in a cookie is not looked up at all. */
export const ID = /^[A-Za-z0-9_-]{43}$/;

export function setTxCookie(policy: CookiePolicy, o: CheckedOptions, id: string, ttlMs: number): string {
  return setCookie(policy, TX_COOKIE, id, {
    maxAgeSeconds: Math.floor(ttlMs / 1000),
    path: o.callbackPath,
    sameSite: o.responseMode === 'form_post' ? 'none' : 'lax',
  });
}

export function clearTxCookie(policy: CookiePolicy, o: CheckedOptions): string {
  return clearCookie(policy, TX_COOKIE, o.callbackPath);
}
