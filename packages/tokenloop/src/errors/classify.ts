import type { ErrorClass, ErrorReason } from './codes.js';
import { OAuthError, type OAuthErrorDetails } from './errors.js';
import { isUnavailableStatus } from './unavailable-status.js';

interface Advice {
  errorClass: ErrorClass;
  remediation: string;
  /** The case, for a program to act on without reading the message (`OAuthError.reason`). */
  reason?: ErrorReason;
}

/**
 * Entra AADSTS codes the client meets most, with what a user can do about each. Written from Microsoft's
 * public error-code reference; classes decide behaviour (keep tokens, prompt, fail fast), texts are shown.
 */
const AADSTS_ADVICE: Record<number, Advice> = {
  50011: {
    errorClass: 'misconfiguration',
    remediation:
      'Add the exact redirect URI to the app registration (Authentication > Platform configurations).',
  },
  500113: {
    errorClass: 'misconfiguration',
    remediation: 'The app registration has no redirect URI; add one under Authentication.',
  },
  90102: {
    errorClass: 'misconfiguration',
    remediation: 'The redirect URI is not a valid absolute URI; fix it in the configuration.',
  },
  700016: {
    errorClass: 'misconfiguration',
    remediation:
      'No app with this client ID exists in the tenant; check the client ID and the tenant (or use "organizations"/"common" for multi-tenant apps).',
  },
  7000215: {
    errorClass: 'misconfiguration',
    remediation:
      'The client secret is wrong: copy the secret VALUE (not its ID) from Certificates & secrets.',
  },
  7000222: {
    errorClass: 'misconfiguration',
    remediation: 'The client secret has expired; create a new one under Certificates & secrets.',
  },
  7000218: {
    errorClass: 'misconfiguration',
    remediation:
      'The app is confidential: give a client secret or certificate, or enable "Allow public client flows" for a native app.',
  },
  700025: {
    errorClass: 'misconfiguration',
    remediation: 'This is a public client: remove the client secret from the configuration.',
  },
  700027: {
    errorClass: 'misconfiguration',
    remediation:
      'The client assertion was rejected: check that the certificate uploaded to the app matches the private key in use.',
  },
  50194: {
    errorClass: 'misconfiguration',
    remediation:
      'The app is single-tenant: use its tenant ID in the authority instead of "common"/"organizations", or make it multi-tenant.',
  },
  9001023: {
    errorClass: 'misconfiguration',
    remediation: 'This grant needs a tenant-specific authority, not "common" or "consumers".',
  },
  700054: {
    errorClass: 'misconfiguration',
    remediation: 'This response type is not enabled for the app; use the authorization code flow.',
  },
  7000112: {
    errorClass: 'misconfiguration',
    remediation: 'The application is disabled in this tenant; ask an administrator to enable it.',
  },
  70011: {
    errorClass: 'misconfiguration',
    remediation:
      'A requested scope is invalid: check its spelling and the resource prefix (e.g. https://graph.microsoft.com/User.Read).',
  },
  900144: {
    errorClass: 'misconfiguration',
    remediation: 'A required request parameter was missing; this is likely a bug, please report it.',
  },
  90014: {
    errorClass: 'misconfiguration',
    remediation: 'A required request parameter was missing; this is likely a bug, please report it.',
  },
  65001: {
    errorClass: 'consent_required',
    remediation:
      'Consent is missing for the requested permissions: sign in interactively to consent, or ask an administrator to grant consent.',
  },
  50076: {
    errorClass: 'mfa_required',
    remediation: 'Multi-factor authentication is required: sign in interactively.',
  },
  50079: {
    errorClass: 'mfa_required',
    remediation: 'You must enrol in multi-factor authentication: sign in interactively.',
  },
  530033: {
    errorClass: 'mfa_required',
    remediation:
      'Conditional Access blocks this sign-in method (often device code); use browser sign-in instead.',
  },
  53003: {
    errorClass: 'user_blocked',
    remediation: 'Conditional Access blocked the sign-in; contact your administrator.',
  },
  50126: { errorClass: 'user_blocked', remediation: 'The username or password is wrong.' },
  50057: {
    errorClass: 'user_blocked',
    remediation: 'The user account is disabled; contact your administrator.',
  },
  50020: {
    errorClass: 'user_blocked',
    reason: 'not-tenant-member',
    remediation:
      'The account is not a member of this tenant; sign in with another account or use the right tenant.',
  },
  50058: { errorClass: 'interaction_required', remediation: 'No signed-in session: sign in interactively.' },
  70043: {
    errorClass: 'interaction_required',
    remediation: 'The sign-in has expired under the sign-in frequency policy: sign in again.',
  },
  700082: {
    errorClass: 'expired_grant',
    remediation: 'The refresh token expired after inactivity: sign in again.',
  },
  700084: {
    errorClass: 'expired_grant',
    remediation: 'The single-page-app refresh token reached its 24-hour limit: sign in again.',
  },
  50173: {
    errorClass: 'expired_grant',
    remediation: 'The grant was revoked (password change or admin action): sign in again.',
  },
  70008: {
    errorClass: 'expired_grant',
    remediation: 'The code or refresh token has expired: sign in again.',
  },
  70000: {
    errorClass: 'expired_grant',
    remediation: 'The authorization code is invalid or expired: start the sign-in again.',
  },
  54005: {
    errorClass: 'expired_grant',
    remediation: 'The authorization code was already used: start the sign-in again.',
  },
  50148: {
    errorClass: 'misconfiguration',
    remediation: 'The PKCE code_verifier did not match; this is likely a bug, please report it.',
  },
  501481: {
    errorClass: 'misconfiguration',
    remediation: 'The PKCE code_verifier did not match; this is likely a bug, please report it.',
  },
  70020: {
    errorClass: 'declined',
    remediation: 'The device code expired before sign-in finished: run the login again.',
  },
  50000: {
    errorClass: 'transient',
    remediation: 'The identity service had an internal error: try again shortly.',
  },
  50001: {
    errorClass: 'misconfiguration',
    remediation: 'The requested resource is not registered in the tenant; check the scope or resource.',
  },
};

const GENERIC_ADVICE: Record<string, Advice> = {
  interaction_required: { errorClass: 'interaction_required', remediation: 'Sign in interactively.' },
  login_required: { errorClass: 'interaction_required', remediation: 'Sign in interactively.' },
  account_selection_required: {
    errorClass: 'interaction_required',
    remediation: 'Sign in interactively and choose an account.',
  },
  consent_required: {
    errorClass: 'consent_required',
    remediation: 'Sign in interactively to grant consent.',
  },
  invalid_grant: { errorClass: 'expired_grant', remediation: 'The grant is no longer valid: sign in again.' },
  invalid_client: {
    errorClass: 'misconfiguration',
    remediation: 'Client authentication failed: check the client ID and its secret or certificate.',
  },
  unauthorized_client: {
    errorClass: 'misconfiguration',
    remediation: 'This client is not allowed to use this flow; check the app registration.',
  },
  unsupported_grant_type: {
    errorClass: 'misconfiguration',
    remediation: 'The provider does not support this flow for this client.',
  },
  invalid_scope: {
    errorClass: 'misconfiguration',
    remediation: 'A requested scope is invalid or not allowed for this client.',
  },
  invalid_request: {
    errorClass: 'misconfiguration',
    remediation: 'The provider rejected the request as malformed.',
  },
  invalid_target: {
    errorClass: 'misconfiguration',
    remediation: 'The requested resource is invalid or not allowed.',
  },
  access_denied: {
    errorClass: 'declined',
    remediation: 'The request was declined; sign in again if this was a mistake.',
  },
  authorization_declined: { errorClass: 'declined', remediation: 'Sign-in was declined on the device page.' },
  expired_token: {
    errorClass: 'declined',
    remediation: 'The device code expired before sign-in finished: run the login again.',
  },
  server_error: {
    errorClass: 'transient',
    remediation: 'The provider had an internal error: try again shortly.',
  },
  temporarily_unavailable: {
    errorClass: 'transient',
    remediation: 'The provider is temporarily unavailable: try again shortly.',
  },
  slow_down: { errorClass: 'transient', remediation: 'The provider asked to slow down.' },
};

/** The AADSTS numbers of an Entra error: `error_codes`, else `AADSTSnnnn` at the start of the description. */
export function aadstsCodesOf(body: { error_codes?: unknown; error_description?: unknown }): number[] {
  if (Array.isArray(body.error_codes)) {
    const codes = body.error_codes.filter((c): c is number => typeof c === 'number' && Number.isInteger(c));
    if (codes.length) return codes;
  }
  const m =
    typeof body.error_description === 'string' ? /^AADSTS(\d{4,8})\b/.exec(body.error_description) : null;
  return m?.[1] ? [Number(m[1])] : [];
}

/** Classify an OAuth error response (Entra or generic) and build the `OAuthError` to throw. */
export function toOAuthError(details: OAuthErrorDetails): OAuthError {
  const codes = details.aadsts ?? [];
  let advice: Advice | undefined;
  for (const c of codes) {
    advice = AADSTS_ADVICE[c];
    if (advice) break;
  }
  if (!advice && details.suberror === 'consent_required') advice = AADSTS_ADVICE[65001];
  if (!advice && details.suberror === 'basic_action') advice = AADSTS_ADVICE[50076];
  if (!advice && isUnavailableStatus(details.status)) {
    advice = { errorClass: 'transient', remediation: 'The provider is busy or failing: try again shortly.' };
  }
  advice ??= GENERIC_ADVICE[details.error];
  // Any of the codes may name the case, whichever one gave the advice.
  const reason = codes.map((c) => AADSTS_ADVICE[c]?.reason).find((r) => r !== undefined);
  return new OAuthError(
    { ...details, aadsts: codes },
    advice?.errorClass ?? 'unknown',
    advice?.remediation,
    reason,
  );
}

/** Parse an OAuth error body (already JSON-decoded, untrusted) into details, or undefined if it is not one. */
export function oauthErrorDetailsFromBody(body: unknown, status: number): OAuthErrorDetails | undefined {
  if (typeof body !== 'object' || body === null) return undefined;
  const b = body as Record<string, unknown>;
  if (typeof b.error !== 'string' || b.error.length === 0 || b.error.length > 200) return undefined;
  const str = (v: unknown) => (typeof v === 'string' ? v.slice(0, 2000) : undefined);
  return {
    error: b.error,
    error_description: str(b.error_description),
    status,
    aadsts: aadstsCodesOf(b),
    suberror: str(b.suberror),
    claims: str(b.claims),
    trace_id: str(b.trace_id),
    correlation_id: str(b.correlation_id),
  };
}
