import type { App, Scenarios, User } from './model.js';
import { EntraError } from '../errors/entra-error.js';
import { consentRequired } from './consent.js';

/** Throttling and outage switches, checked first on every token request of the app (or user). */
export function checkAvailability(s: Scenarios): void {
  if (s.throttleSeconds) {
    const err = new EntraError(90055);
    err.headers['Retry-After'] = String(s.throttleSeconds);
    throw err;
  }
  if (s.serverError) {
    const err = new EntraError(
      50000,
      {},
      { status: s.serverError, error: s.serverError === 503 ? 'temporarily_unavailable' : 'server_error' },
    );
    if (s.serverError === 503) err.headers['Retry-After'] = '1';
    throw err;
  }
}

/**
 * S184: the scenario switches that refuse a user are read here and nowhere else, so every flow (authorize,
 * password, refresh, code redemption, token verification) refuses alike. A switch that may be set on the user
 * or on the app (mfaRequired, consentRequired) is on when either has it.
 */
export function mfaRequired(user: User, app: App): boolean {
  return [user, app].some((o) => o.scenarios.mfaRequired);
}

/** S184: consent must be asked again (the user's or the app's consentRequired switch). */
export function consentForced(user: User, app: App): boolean {
  return [user, app].some((o) => o.scenarios.consentRequired);
}

/**
 * S184: the user switch refusing them, if any: disabled (AADSTS50057) everywhere; grantRevoked (AADSTS50173) for
 * what was granted before (a new sign-in makes a new grant).
 */
export function userRefusal(user: User, use: 'sign-in' | 'grant'): 50057 | 50173 | undefined {
  if (user.scenarios.disabled) return 50057;
  if (use === 'grant' && user.scenarios.grantRevoked) return 50173;
  return undefined;
}

/** S184: throws the user switch refusing them (see userRefusal). */
export function checkUserSwitches(user: User, use: 'sign-in' | 'grant'): void {
  const code = userRefusal(user, use);
  if (code) throw new EntraError(code);
}

/**
 * S184: AADSTS50076 when the user's or the app's mfaRequired switch is on; `silent` (authorize with
 * prompt=none) answers `interaction_required` as Entra does, the token endpoint `invalid_grant`.
 */
export function checkMfa(user: User, app: App, resource: string, opts: { silent?: boolean } = {}): void {
  if (!mfaRequired(user, app)) return;
  throw new EntraError(50076, { resource }, opts.silent ? { error: 'interaction_required' } : {});
}

/** S184: AADSTS65001 when consent is forced by a switch (a grant cannot ask for it). */
export function checkForcedConsent(user: User, app: App): void {
  if (consentForced(user, app)) throw consentRequired(app);
}

/** The switches that refuse a user's existing grant (refresh, on-behalf-of, code redemption). */
export function checkUserGrant(user: User, app: App, opts: { refresh: boolean; resource: string }): void {
  checkAvailability(user.scenarios);
  checkUserSwitches(user, 'grant');
  if (opts.refresh && user.scenarios.refreshTokenExpired) throw new EntraError(700082);
  if (!opts.refresh) return;
  checkMfa(user, app, opts.resource);
  checkForcedConsent(user, app);
}
