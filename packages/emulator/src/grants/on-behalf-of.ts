import { randomUUID } from 'node:crypto';
import { EntraError } from '../errors/entra-error.js';
import { requireConsent } from '../directory/consent.js';
import type { TokenResponse } from '../tokens/issue.js';
import { parseScopes } from '../directory/scopes.js';
import { verifyOwnAccessToken } from '../tokens/verify.js';
import { type GrantRequest, invalidGrant, issueForRequest, requiredParam } from './grant-request.js';
import { checkUserGrant } from '../directory/scenarios.js';

/**
 * On-behalf-of (`urn:ietf:params:oauth:grant-type:jwt-bearer`, `requested_token_use=on_behalf_of`): a
 * confidential middle-tier API trades the delegated token it received (audience: itself) for one to
 * another resource, for the same user.
 */
export async function onBehalfOfGrant(r: GrantRequest): Promise<TokenResponse> {
  const { ctx, app, p } = r;
  if (r.authLevel === '0') throw new EntraError(7000218);
  if (p.get('requested_token_use') !== 'on_behalf_of')
    throw new EntraError(900144, { name: 'requested_token_use' });
  const assertion = requiredParam(p, 'assertion');
  const scope = requiredParam(p, 'scope');
  const check = await verifyOwnAccessToken(ctx, assertion);
  if (!check.ok) {
    if (check.reason === 'expired') throw new EntraError(500133);
    if (check.reason === 'revoked') throw new EntraError(50173);
    throw new EntraError(50013);
  }
  const claims = check.claims;
  const audiences = [app.clientId, app.appIdUri].filter(Boolean);
  if (typeof claims.aud !== 'string' || !audiences.includes(claims.aud)) {
    throw new EntraError(50013, {}, { error: 'invalid_grant' });
  }
  if (typeof claims.scp !== 'string' || typeof claims.oid !== 'string') {
    throw invalidGrant('The assertion must be a delegated (user) access token.');
  }
  const user = ctx.directory.users.get(claims.oid);
  if (!user) throw new EntraError(50173);
  const scopes = parseScopes(ctx.directory, scope, r.tenant.segment);
  checkUserGrant(user, app, { refresh: true, resource: scopes.resources[0]?.identifier ?? '' });
  requireConsent(ctx, app, user, scopes);
  return issueForRequest(r, {
    user,
    scopes,
    authTime: typeof claims.iat === 'number' ? claims.iat : Math.floor(Date.now() / 1000),
    grantId: check.record?.grantId ?? randomUUID(),
  });
}
