import { randomUUID } from 'node:crypto';
import type { EmulatorContext } from '../context.js';
import type { App } from '../directory/model.js';
import { GRAPH_RESOURCE } from '../directory/resources.js';
import type { ResolvedTenant } from '../directory/tenants.js';
import { EntraError } from '../errors/entra-error.js';
import { missingConsent } from '../flow/consent.js';
import { checkUserMaySignIn, findUserByName } from '../flow/user-checks.js';
import type { Params } from '../http/request.js';
import { safeEqual } from '../http/safe-equal.js';
import { type ClientAuthLevel, issueDelegated, type TokenResponse } from '../tokens/issue.js';
import { parseScopes } from '../tokens/scopes.js';
import { checkAvailability } from './scenarios.js';
import type { ClaimsRequest } from '../tokens/claims-request.js';

/**
 * `grant_type=password` (resource owner password credentials), as test automation uses it through MSAL's
 * username/password methods: public clients (with public client flows allowed) and confidential ones. As on
 * Entra it works for work and school accounts only — refused on /common and /consumers (AADSTS9001023) — and
 * it cannot satisfy MFA (AADSTS50076) or ask for consent (AADSTS65001): those need an interactive sign-in.
 */
export async function passwordGrant(
  ctx: EmulatorContext,
  app: App,
  p: Params,
  authLevel: ClientAuthLevel,
  claimsRequest: ClaimsRequest,
  tenant: ResolvedTenant,
): Promise<TokenResponse> {
  if (tenant.kind === 'common' || tenant.kind === 'consumers') throw new EntraError(9001023);
  if (authLevel === '0' && !app.allowPublicClientFlows) throw new EntraError(7000218);
  const username = p.get('username');
  if (!username) throw new EntraError(900144, { name: 'username' });
  const password = p.get('password');
  if (password === undefined) throw new EntraError(900144, { name: 'password' });
  const scope = p.get('scope');
  if (!scope) throw new EntraError(900144, { name: 'scope' });
  const scopes = parseScopes(ctx.directory, scope, tenant.segment);
  const user = findUserByName(ctx, username);
  if (!user || (tenant.tenant && user.tenantId !== tenant.tenant.id)) {
    throw new EntraError(50034, {
      username: username.slice(0, 113),
      tenant: tenant.tenant?.id ?? tenant.segment,
    });
  }
  if (!safeEqual(password, user.password)) throw new EntraError(50126);
  checkAvailability(user.scenarios);
  checkUserMaySignIn(ctx, app, user, tenant.segment);
  if (user.scenarios.mfaRequired || app.scenarios.mfaRequired) {
    throw new EntraError(50076, { resource: scopes.resources[0]?.identifier ?? GRAPH_RESOURCE });
  }
  if (
    user.scenarios.consentRequired ||
    app.scenarios.consentRequired ||
    missingConsent(ctx, app, user, scopes).length
  ) {
    throw new EntraError(65001, { clientId: app.clientId, appName: app.name });
  }
  return issueDelegated(ctx, {
    app,
    user,
    scopes,
    authTime: Math.floor(Date.now() / 1000),
    grantId: randomUUID(),
    authLevel,
    claimsRequest,
    clientInfo: p.get('client_info') === '1',
  });
}
