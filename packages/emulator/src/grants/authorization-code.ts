import { EntraError } from '../errors/entra-error.js';
import { requireConsent } from '../directory/consent.js';
import { pkceMatches } from './pkce.js';
import { revokeGrant } from '../state/revoke-grant.js';
import type { TokenResponse } from '../tokens/issue.js';
import { parseScopes } from '../directory/scopes.js';
import {
  grantHolder,
  type GrantRequest,
  invalidGrant,
  issueForRequest,
  requiredParam,
} from './grant-request.js';
import { checkUserGrant } from '../directory/scenarios.js';

/**
 * `grant_type=authorization_code`: single use; a replay fails with AADSTS54005 and revokes the grant.
 * `namedScope`: the scopes the token request names (the v1 endpoint's `resource`), used only when the
 * authorization request named no resource; a resource named there is never swapped for another.
 */
export async function authorizationCodeGrant(r: GrantRequest, namedScope?: string): Promise<TokenResponse> {
  const { ctx, app, p } = r;
  const code = requiredParam(p, 'code');
  const redirectUri = requiredParam(p, 'redirect_uri');
  const entry = ctx.state.codes.peek(code);
  if (!entry) throw invalidGrant('The authorization code is malformed or unknown.');
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
  const user = grantHolder(ctx, record);
  let scopes = record.scopes;
  if (!scopes.resources.length && namedScope) {
    const named = parseScopes(ctx.directory, namedScope, record.tenantId);
    scopes = { oidc: [...new Set([...scopes.oidc, ...named.oidc])], resources: named.resources };
    // S123: the sign-in consented to no resource; this one needs the user's (or an admin's) consent.
    requireConsent(ctx, app, user, scopes);
  }
  checkUserGrant(user, app, { refresh: false, resource: scopes.resources[0]?.identifier ?? '' });
  return issueForRequest(r, {
    user,
    scopes,
    authTime: record.authTime,
    grantId: record.grantId,
    ...(record.nonce !== undefined ? { nonce: record.nonce } : {}),
    // A single-page app's refresh tokens live a fixed time from now, whatever refreshes follow.
    ...(record.spa ? { spaExpiresAt: Date.now() + ctx.settings.spaRefreshTokenLifetime * 1000 } : {}),
  });
}
