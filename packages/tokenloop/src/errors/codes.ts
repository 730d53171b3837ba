/**
 * The stable error codes of tokenloop. Every error the library throws on purpose carries one of these in
 * `code`; the CLI and the web layer map them to messages, exit codes and HTTP statuses in one place each.
 */
export type ErrorCode =
  /** Bad option or argument passed by the calling program (a bug in the caller, not in the user's input). */
  | 'INVALID_ARGUMENT'
  /** Configuration that cannot work: wrong authority, plain http, missing secret, issuer mismatch (S16, S17). */
  | 'CONFIGURATION'
  /** The provider could not be reached: DNS, refused, reset, timeout. Transient; tokens are kept. */
  | 'NETWORK'
  /** The provider answered 5xx or 429 (after any safe retries). Transient; tokens are kept. */
  | 'PROVIDER_UNAVAILABLE'
  /** The provider answered something that breaks the protocol (bad JSON, missing fields, oversized body). */
  | 'INVALID_RESPONSE'
  /** The provider answered with an OAuth error (`error`, `error_description`); see `OAuthError`. */
  | 'OAUTH_ERROR'
  /** A token (ID token, userinfo, JWKS) failed validation: signature, issuer, audience, nonce, expiry... */
  | 'TOKEN_VALIDATION'
  /** The authorization response (callback) is invalid: state, iss, missing code (S03–S07). */
  | 'CALLBACK'
  /** No usable cached token and no refresh possible: the user must sign in (interactively). */
  | 'INTERACTION_REQUIRED'
  /** The user declined, cancelled, or the flow timed out / was aborted. */
  | 'CANCELLED'
  | 'TIMEOUT'
  /** The token cache could not be read, written or locked (details in `cause`). */
  | 'CACHE'
  /**
   * A private file or its folder could be read, replaced or planted by another user (another user's, writable
   * by others, a link, a FIFO): refused before use, with the fix in `remediation` (S80–S83).
   */
  | 'UNSAFE_FILE'
  /** No account matches the request. */
  | 'ACCOUNT_NOT_FOUND';

/** How a provider's OAuth error should be handled — the Entra AADSTS classes plus the generic ones. */
export type ErrorClass =
  /** Sign in again interactively (expired/revoked grant, login required). */
  | 'interaction_required'
  /** The user (or an admin) must grant consent for the requested scopes. */
  | 'consent_required'
  /** Multi-factor authentication or another Conditional Access step is required. */
  | 'mfa_required'
  /** The app registration or the request is misconfigured; retrying cannot help. */
  | 'misconfiguration'
  /** The user's credentials or account cannot be used (wrong password, disabled, not in tenant). */
  | 'user_blocked'
  /** A grant (code, refresh token, device code) is expired, used or revoked. */
  | 'expired_grant'
  /** Try again later: throttling, server error, temporarily unavailable. Never deletes tokens. */
  | 'transient'
  /** The user declined or did not finish in time. */
  | 'declined'
  /** Not classified. */
  | 'unknown';

/**
 * What an error is about, in words a program can match (the message's wording may change; these do not). Set
 * only where a caller can act on it; `undefined` otherwise.
 */
export type ErrorReason =
  /**
   * `CONFIGURATION`: the server's TLS certificate comes from a certificate authority not trusted here (self-signed,
   * unknown issuer); `origin` names the server. Trusting the authority's PEM file fixes it.
   */
  | 'tls-untrusted'
  /**
   * `CONFIGURATION`: the server's TLS certificate is expired, not yet valid, revoked, misnamed or badly signed;
   * `origin` names the server.
   */
  | 'tls-invalid'
  /** `CONFIGURATION`: a URL is plain http to a host that is not loopback (S16); `origin` names it. */
  | 'https-required'
  /** `OAuthError`: the account is not a member of the authority's tenant (Entra AADSTS50020 among its `aadsts`). */
  | 'not-tenant-member';
