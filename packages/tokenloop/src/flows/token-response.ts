import type * as oauth from 'oauth4webapi';
import { TokenloopError } from '../errors/errors.js';
import { checkReceivedTokens } from '../model/token-syntax.js';
import type { TokenSet } from '../model/token-set.js';

function seconds(value: unknown): number | undefined {
  if (typeof value === 'number' && Number.isFinite(value) && value >= 0) return value;
  if (typeof value === 'string' && /^\d{1,10}$/.test(value)) return Number(value);
  return undefined;
}

/**
 * Normalise a processed token response. `token_type` is matched case-insensitively and only `bearer` is used
 * (S13); the access and refresh tokens must have their RFC syntax (S72); a narrower `scope` is stored as
 * granted, an absent one means "as requested", and no `expires_in` means unknown expiry (S14).
 */
export function toTokenSet(
  response: oauth.TokenEndpointResponse,
  requestedScopes: readonly string[],
  obtainedAt: number,
  idTokenClaims: Record<string, unknown> | undefined,
): TokenSet {
  const tokenType = String(response.token_type).toLowerCase();
  if (tokenType !== 'bearer') {
    throw new TokenloopError(
      'INVALID_RESPONSE',
      `the provider issued a ${JSON.stringify(tokenType.slice(0, 20))} token; only bearer tokens are supported`,
    );
  }
  const refreshToken =
    typeof response.refresh_token === 'string' && response.refresh_token !== ''
      ? response.refresh_token
      : undefined;
  // S72: the one place token responses are parsed checks the tokens' syntax, for every grant.
  checkReceivedTokens(response.access_token, refreshToken);
  const at = (s: number | undefined) => (s === undefined ? undefined : obtainedAt + s * 1000);
  const scope =
    typeof response.scope === 'string' ? response.scope.split(' ').filter(Boolean) : [...requestedScopes];
  return {
    accessToken: response.access_token,
    tokenType,
    scopes: scope,
    expiresAt: at(seconds(response.expires_in)),
    refreshAt: at(seconds(response.refresh_in)),
    extExpiresAt: at(seconds(response.ext_expires_in)),
    refreshToken,
    refreshTokenExpiresAt: at(seconds(response.refresh_token_expires_in)),
    idToken: typeof response.id_token === 'string' ? response.id_token : undefined,
    idTokenClaims,
    obtainedAt,
  };
}
