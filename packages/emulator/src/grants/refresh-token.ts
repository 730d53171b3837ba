import type { EmulatorContext } from '../context.js';
import type { App } from '../directory/model.js';
import { EntraError } from '../errors/entra-error.js';
import { missingConsent } from '../flow/consent.js';
import type { Params } from '../http/request.js';
import { type ClientAuthLevel, issueDelegated, type TokenResponse } from '../tokens/issue.js';
import { parseScopes, type RequestedScopes } from '../tokens/scopes.js';
import { checkUserGrant } from './scenarios.js';
import { grantRevoked } from '../state/revoke-grant.js';
import type { ClaimsRequest } from '../tokens/claims-request.js';

/**
 * `grant_type=refresh_token`: any resource the user consented to for this client; every redemption returns a
 * NEW refresh token and, as on Entra, the old one stays valid until it expires.
 */
export async function refreshTokenGrant(
  ctx: EmulatorContext,
  app: App,
  p: Params,
  authLevel: ClientAuthLevel,
  claimsRequest: ClaimsRequest,
  tenant: string,
): Promise<TokenResponse> {
  const token = p.get('refresh_token');
  if (!token) throw new EntraError(900144, { name: 'refresh_token' });
  const entry = ctx.state.refreshTokens.peek(token);
  if (!entry)
    throw new EntraError(
      9002313,
      { detail: 'The refresh token is malformed or unknown.' },
      { error: 'invalid_grant' },
    );
  const record = entry.value;
  const now = Date.now();
  if (record.spaExpiresAt !== undefined && record.spaExpiresAt <= now)
    throw spaExpired(ctx, record.spaExpiresAt);
  if (entry.expiresAt <= now) throw new EntraError(700082);
  if (record.clientId !== app.clientId) throw new EntraError(70000);
  if (grantRevoked(ctx, record.grantId, record.authTime * 1000)) throw new EntraError(50173);
  const user = ctx.directory.users.get(record.userId);
  if (!user) throw new EntraError(50173);
  const requested = p.get('scope');
  let scopes: RequestedScopes;
  if (requested) {
    const parsed = parseScopes(ctx.directory, requested, tenant);
    scopes = { oidc: [...new Set([...parsed.oidc, ...record.oidc])], resources: parsed.resources };
  } else {
    // The original request, as the client wrote it: the response names the scopes in that form again.
    const original = parseScopes(ctx.directory, record.resourceScopes.join(' ') || 'openid', tenant);
    scopes = { oidc: record.oidc, resources: original.resources };
  }
  checkUserGrant(user, app, { refresh: true, resource: scopes.resources[0]?.identifier ?? record.resource });
  if (missingConsent(ctx, app, user, scopes).length)
    throw new EntraError(65001, { clientId: app.clientId, appName: app.name });
  record.lastUsedAt = now;
  return issueDelegated(ctx, {
    app,
    user,
    scopes,
    authTime: record.authTime,
    grantId: record.grantId,
    authLevel,
    claimsRequest,
    clientInfo: p.get('client_info') === '1',
    ...(record.spaExpiresAt !== undefined ? { spaExpiresAt: record.spaExpiresAt } : {}),
  });
}

/** AADSTS700084, naming the fixed lifetime as Entra does (`d.hh:mm:ss`) and when the sign-in issued the token. */
function spaExpired(ctx: EmulatorContext, expiresAt: number): EntraError {
  const seconds = ctx.settings.spaRefreshTokenLifetime;
  const two = (n: number) => String(n).padStart(2, '0');
  const lifetime = `${Math.floor(seconds / 86_400)}.${two(Math.floor(seconds / 3600) % 24)}:${two(Math.floor(seconds / 60) % 60)}:${two(seconds % 60)}`;
  return new EntraError(700084, {
    lifetime,
    issuedAt: new Date(expiresAt - seconds * 1000).toISOString(),
  });
}
