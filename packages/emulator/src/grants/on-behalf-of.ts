import { randomUUID } from 'node:crypto';
import type { EmulatorContext } from '../context.js';
import type { App } from '../directory/model.js';
import { EntraError } from '../errors/entra-error.js';
import { missingConsent } from '../flow/consent.js';
import type { Params } from '../http/request.js';
import { type ClientAuthLevel, issueDelegated, type TokenResponse } from '../tokens/issue.js';
import { parseScopes } from '../tokens/scopes.js';
import { verifyOwnAccessToken } from '../tokens/verify.js';
import { checkUserGrant } from './scenarios.js';
import type { ClaimsRequest } from '../tokens/claims-request.js';

/**
 * On-behalf-of (`urn:ietf:params:oauth:grant-type:jwt-bearer`, `requested_token_use=on_behalf_of`): a
 * confidential middle-tier API trades the delegated token it received (audience: itself) for one to
 * another resource, for the same user.
 */
export async function onBehalfOfGrant(
  ctx: EmulatorContext,
  app: App,
  p: Params,
  authLevel: ClientAuthLevel,
  claimsRequest: ClaimsRequest,
  tenant: string,
): Promise<TokenResponse> {
  if (authLevel === '0') throw new EntraError(7000218);
  if (p.get('requested_token_use') !== 'on_behalf_of')
    throw new EntraError(900144, { name: 'requested_token_use' });
  const assertion = p.get('assertion');
  if (!assertion) throw new EntraError(900144, { name: 'assertion' });
  const scope = p.get('scope');
  if (!scope) throw new EntraError(900144, { name: 'scope' });
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
    throw new EntraError(
      9002313,
      { detail: 'The assertion must be a delegated (user) access token.' },
      { error: 'invalid_grant' },
    );
  }
  const user = ctx.directory.users.get(claims.oid);
  if (!user) throw new EntraError(50173);
  const scopes = parseScopes(ctx.directory, scope, tenant);
  checkUserGrant(user, app, { refresh: true, resource: scopes.resources[0]?.identifier ?? '' });
  if (missingConsent(ctx, app, user, scopes).length)
    throw new EntraError(65001, { clientId: app.clientId, appName: app.name });
  return issueDelegated(ctx, {
    app,
    user,
    scopes,
    authTime: typeof claims.iat === 'number' ? claims.iat : Math.floor(Date.now() / 1000),
    grantId: check.record?.grantId ?? randomUUID(),
    authLevel,
    claimsRequest,
    clientInfo: p.get('client_info') === '1',
  });
}
