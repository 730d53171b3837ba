import { createHash } from 'node:crypto';
import type { EmulatorContext } from '../context.js';
import type { App } from '../directory/model.js';
import { EntraError } from '../errors/entra-error.js';
import type { Params } from '../http/request.js';
import { missingConsent } from '../flow/consent.js';
import { safeEqual } from '../http/safe-equal.js';
import { type ClientAuthLevel, issueDelegated, type TokenResponse } from '../tokens/issue.js';
import { parseScopes } from '../tokens/scopes.js';
import { checkUserGrant } from './scenarios.js';
import { grantRevoked, revokeGrant } from '../state/revoke-grant.js';
import type { ClaimsRequest } from '../tokens/claims-request.js';

function pkceMatches(verifier: string, challenge: string, method: 'S256' | 'plain'): boolean {
  if (!/^[A-Za-z0-9\-._~]{43,128}$/.test(verifier)) return false;
  const computed =
    method === 'S256' ? createHash('sha256').update(verifier, 'ascii').digest('base64url') : verifier;
  return safeEqual(computed, challenge);
}

/**
 * `grant_type=authorization_code`: single use; a replay fails with AADSTS54005 and revokes the grant.
 * `namedScope`: the scopes the token request names (the v1 endpoint's `resource`), used only when the
 * authorization request named no resource; a resource named there is never swapped for another.
 */
export async function authorizationCodeGrant(
  ctx: EmulatorContext,
  app: App,
  p: Params,
  authLevel: ClientAuthLevel,
  claimsRequest: ClaimsRequest,
  namedScope?: string,
): Promise<TokenResponse> {
  const code = p.get('code');
  if (!code) throw new EntraError(900144, { name: 'code' });
  const redirectUri = p.get('redirect_uri');
  if (!redirectUri) throw new EntraError(900144, { name: 'redirect_uri' });
  const entry = ctx.state.codes.peek(code);
  if (!entry)
    throw new EntraError(
      9002313,
      { detail: 'The authorization code is malformed or unknown.' },
      { error: 'invalid_grant' },
    );
  const record = entry.value;
  if (record.redeemed) {
    revokeGrant(ctx, record.grantId, record.userId, record.clientId);
    throw new EntraError(54005);
  }
  if (entry.expiresAt <= Date.now()) throw new EntraError(70008);
  if (record.clientId !== app.clientId) throw new EntraError(70000);
  if (record.redirectUri !== redirectUri)
    throw new EntraError(50011, { redirectUri, clientId: app.clientId });
  if (record.codeChallenge) {
    const verifier = p.get('code_verifier');
    if (!verifier) throw new EntraError(501481);
    if (!pkceMatches(verifier, record.codeChallenge, record.codeChallengeMethod ?? 'plain'))
      throw new EntraError(50148);
  } else if (p.has('code_verifier')) {
    // RFC 9700 §2.1.1: a verifier for a code issued without a challenge is refused (PKCE downgrade).
    throw new EntraError(50148, {
      detail:
        'The authorization request had no code_challenge, so the token request must not send a code_verifier.',
    });
  }
  record.redeemed = true;
  if (grantRevoked(ctx, record.grantId, record.authTime * 1000)) throw new EntraError(50173);
  const user = ctx.directory.users.get(record.userId);
  if (!user) throw new EntraError(50173);
  let scopes = record.scopes;
  if (!scopes.resources.length && namedScope) {
    const named = parseScopes(ctx.directory, namedScope, record.tenantId);
    scopes = { oidc: [...new Set([...scopes.oidc, ...named.oidc])], resources: named.resources };
    // S123: the sign-in consented to no resource; this one needs the user's (or an admin's) consent.
    if (missingConsent(ctx, app, user, scopes).length)
      throw new EntraError(65001, { clientId: app.clientId, appName: app.name });
  }
  checkUserGrant(user, app, { refresh: false, resource: scopes.resources[0]?.identifier ?? '' });
  return issueDelegated(ctx, {
    app,
    user,
    scopes,
    authTime: record.authTime,
    grantId: record.grantId,
    authLevel,
    claimsRequest,
    clientInfo: p.get('client_info') === '1',
    ...(record.nonce !== undefined ? { nonce: record.nonce } : {}),
    // A single-page app's refresh tokens live a fixed time from now, whatever refreshes follow.
    ...(record.spa ? { spaExpiresAt: Date.now() + ctx.settings.spaRefreshTokenLifetime * 1000 } : {}),
  });
}
