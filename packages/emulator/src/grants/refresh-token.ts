import type { EmulatorContext } from '../context.js';
import { EntraError } from '../errors/entra-error.js';
import { requireConsent } from '../directory/consent.js';
import type { TokenResponse } from '../tokens/issue.js';
import { parseScopes, type RequestedScopes } from '../directory/scopes.js';
import {
  grantHolder,
  type GrantRequest,
  invalidGrant,
  issueForRequest,
  requiredParam,
} from './grant-request.js';
import { checkUserGrant } from '../directory/scenarios.js';

/**
 * `grant_type=refresh_token`: any resource the user consented to for this client; every redemption returns a
 * NEW refresh token and, as on Entra, the old one stays valid until it expires.
 */
export async function refreshTokenGrant(r: GrantRequest): Promise<TokenResponse> {
  const { ctx, app, p } = r;
  const tenant = r.tenant.segment;
  const token = requiredParam(p, 'refresh_token');
  const entry = ctx.state.refreshTokens.peek(token);
  if (!entry) throw invalidGrant('The refresh token is malformed or unknown.');
  const record = entry.value;
  const now = Date.now();
  if (record.spaExpiresAt !== undefined && record.spaExpiresAt <= now)
    throw spaExpired(ctx, record.spaExpiresAt);
  if (entry.expiresAt <= now) throw new EntraError(700082);
  if (record.clientId !== app.clientId) throw new EntraError(70000);
  const user = grantHolder(ctx, record);
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
  requireConsent(ctx, app, user, scopes);
  record.lastUsedAt = now;
  return issueForRequest(r, {
    user,
    scopes,
    authTime: record.authTime,
    grantId: record.grantId,
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
