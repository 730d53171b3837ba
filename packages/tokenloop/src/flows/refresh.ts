import * as oauth from 'oauth4webapi';
import type { CachedAccount } from '../model/account-record.js';
import type { GrantContext } from '../model/grant-context.js';
import { debug } from '../log/debug.js';
import { refreshScopes, requestOptions } from './protocol.js';
import { requestTokens } from './token-endpoint.js';
import type { TokenSet } from '../model/token-set.js';

/**
 * Redeem a refresh token for `scopes` (RFC 6749 §6). Never retried: a rotating refresh token may already be
 * spent (C7). A refreshed ID token must describe the same account (S36). `claims` (S105, already checked by
 * `checkClaims`) is sent as the `claims` parameter: a resource's claims challenge.
 */
export async function refresh(
  ctx: GrantContext,
  refreshToken: string,
  scopes: readonly string[],
  previous: CachedAccount | undefined,
  signal?: AbortSignal,
  claims?: string,
): Promise<TokenSet> {
  const scope = refreshScopes(ctx, scopes, previous?.idTokenSubject !== undefined);
  const params: Record<string, string> = {
    ...(scope.length ? { scope: scope.join(' ') } : {}),
    ...(claims ? { claims } : {}),
  };
  debug('flow', 'refreshing', { scopes: scope });
  return requestTokens(
    ctx,
    (as, client, auth) =>
      oauth.refreshTokenGrantRequest(
        as,
        client,
        auth,
        refreshToken,
        requestOptions(ctx, signal, Object.keys(params).length ? params : undefined),
      ),
    oauth.processRefreshTokenResponse,
    { requestedScopes: scopes, previous, signal },
  );
}
