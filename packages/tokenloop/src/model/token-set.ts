/**
 * The result of every grant, normalised from the token endpoint's response (RFC 6749 §5.1 plus Entra's
 * `ext_expires_in`, `refresh_in`, `client_info`). Times are wall-clock epoch ms.
 */
export interface TokenSet {
  accessToken: string;
  /** Lower-cased `token_type` (S13): `bearer`, or another type the caller recognised. */
  tokenType: string;
  /** Granted scopes (S14): the response's `scope` when present, otherwise the requested ones. */
  scopes: string[];
  /** Undefined when the provider sent no `expires_in` (S14: unknown expiry). */
  expiresAt?: number | undefined;
  /** From `refresh_in`: refresh proactively after this time. */
  refreshAt?: number | undefined;
  /** From Entra `ext_expires_in`. */
  extExpiresAt?: number | undefined;
  refreshToken?: string | undefined;
  /** From `refresh_token_expires_in`, when sent. */
  refreshTokenExpiresAt?: number | undefined;
  idToken?: string | undefined;
  /** The validated ID token claims, when an ID token came back. */
  idTokenClaims?: Record<string, unknown> | undefined;
  /** When the response was received. */
  obtainedAt: number;
}
