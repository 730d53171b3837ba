import type { App, Scenarios, User } from '../directory/model.js';
import { EntraError } from '../errors/entra-error.js';
import { consentRequired } from '../flow/consent.js';

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

/** The switches that refuse a user's existing grant (refresh, on-behalf-of, code redemption). */
export function checkUserGrant(user: User, app: App, opts: { refresh: boolean; resource: string }): void {
  checkAvailability(user.scenarios);
  if (user.scenarios.disabled) throw new EntraError(50057);
  if (user.scenarios.grantRevoked) throw new EntraError(50173);
  if (opts.refresh && user.scenarios.refreshTokenExpired) throw new EntraError(700082);
  if (opts.refresh && (user.scenarios.mfaRequired || app.scenarios.mfaRequired)) {
    throw new EntraError(50076, { resource: opts.resource });
  }
  if (opts.refresh && (user.scenarios.consentRequired || app.scenarios.consentRequired)) {
    throw consentRequired(app);
  }
}
