import { WebAuthConfigError } from '../web-errors.js';
import type { BearerOutcome } from './bearer-check.js';
import { bearerChallenge } from './challenge-header.js';
import { type OptionKeys, checkOptionKeys } from '../option-keys.js';

/** Options of {@link claimsChallenge}. */
export interface ClaimsChallengeOptions {
  /**
   * The time a new token must not predate (an event the API knows of: the user's sessions revoked, a password
   * changed): seconds since the epoch, or a Date. Sent as the essential `nbf` Entra's resources ask for.
   */
  notBefore?: number | Date;
  /** A whole claims request instead (e.g. `{ access_token: { acrs: { essential: true, value: 'c1' } } }`). */
  claims?: Record<string, unknown>;
  /** The authorize endpoint clients may sign in at again (Entra's resources name the common one). */
  authorizationUri?: string;
}

/** A refused request's outcome carrying a claims challenge, and the claims request (JSON) it asks for. */
export type ClaimsChallengeOutcome = Extract<BearerOutcome, { ok: false }> & { claims: string };

/** S96: the keys `claimsChallenge` knows. */
const CLAIMS_CHALLENGE_KEYS: OptionKeys<ClaimsChallengeOptions> = {
  notBefore: true,
  claims: true,
  authorizationUri: true,
};

const ENTRA_AUTHORIZE = 'https://login.microsoftonline.com/common/oauth2/authorize';

/**
 * S144: a claims challenge (continuous access evaluation), as Entra-protected resources send one: 401,
 * `WWW-Authenticate: Bearer … error="insufficient_claims", claims="<base64 of the claims request>"` — what MSAL,
 * @azure/identity and the Azure SDK's bearer policy answer by getting a new token with those claims. For an API
 * that knows, without asking the issuer (no introspection), that a token it would accept must not be used:
 * challenge only tokens whose client declared it can answer ({@link acceptsClaimsChallenges}), refuse the rest
 * plainly. Send it as any refusal (`bearerReply`, or the adapters).
 */
export function claimsChallenge(o: ClaimsChallengeOptions): ClaimsChallengeOutcome {
  checkOptionKeys(o, CLAIMS_CHALLENGE_KEYS, 'claimsChallenge', (m) => new WebAuthConfigError(m));
  let request = o.claims;
  if (request === undefined) {
    if (o.notBefore === undefined) throw new WebAuthConfigError('claimsChallenge needs notBefore or claims');
    const at = o.notBefore instanceof Date ? o.notBefore.getTime() / 1000 : o.notBefore;
    if (!Number.isFinite(at) || at < 0)
      throw new WebAuthConfigError('claimsChallenge: notBefore is not a time');
    request = { access_token: { nbf: { essential: true, value: String(Math.floor(at)) } } };
  }
  const claims = JSON.stringify(request);
  const description = 'the token was issued before an event that revoked it: get a new one with these claims';
  return {
    ok: false,
    status: 401,
    error: 'insufficient_claims',
    description,
    claims,
    wwwAuthenticate: bearerChallenge([
      ['realm', 'api'],
      ['authorization_uri', o.authorizationUri ?? ENTRA_AUTHORIZE],
      ['error', 'insufficient_claims'],
      ['error_description', description],
      // Standard base64 (padded), as Entra's resources send it and the Azure SDK decodes it (atob).
      ['claims', Buffer.from(claims, 'utf8').toString('base64')],
    ]),
  };
}

/** Whether a token's client declared client capability cp1 (`xms_cc`): it answers claims challenges. */
export function acceptsClaimsChallenges(claims: Record<string, unknown>): boolean {
  const cc = claims.xms_cc;
  const values = Array.isArray(cc) ? cc : typeof cc === 'string' ? [cc] : [];
  return values.some((v) => typeof v === 'string' && v.toLowerCase() === 'cp1');
}
