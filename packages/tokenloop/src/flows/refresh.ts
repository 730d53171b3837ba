import * as oauth from 'oauth4webapi';
import type { CachedAccount } from '../model/account-record.js';
import type { GrantContext } from '../model/grant-context.js';
import { debug } from '../log/debug.js';
import { clientAuthFor } from './client-auth.js';
import { mapProtocolError } from './map-errors.js';
import { asClient, refreshScopes, requestOptions } from './protocol.js';
import { processTokenResponse } from './token-endpoint.js';
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
  try {
    const response = await oauth.refreshTokenGrantRequest(
      ctx.server.as,
      asClient(ctx),
      await clientAuthFor(ctx),
      refreshToken,
      requestOptions(ctx, signal, Object.keys(params).length ? params : undefined),
    );
    return await processTokenResponse(
      ctx,
      response,
      (as, res) => oauth.processRefreshTokenResponse(as, asClient(ctx), res),
      {
        requestedScopes: scopes,
        previous,
        signal,
      },
    );
  } catch (err) {
    throw mapProtocolError(err);
  }
}
