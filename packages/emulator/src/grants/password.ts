import { randomUUID } from 'node:crypto';
import { GRAPH_RESOURCE } from '../directory/resources.js';
import { EntraError } from '../errors/entra-error.js';
import { requireConsent } from '../directory/consent.js';
import { checkUserMaySignIn, findUserByName } from '../flow/user-checks.js';
import { safeEqual } from '../http/safe-equal.js';
import type { TokenResponse } from '../tokens/issue.js';
import { parseScopes } from '../directory/scopes.js';
import { type GrantRequest, issueForRequest, requiredParam } from './grant-request.js';
import { checkAvailability, checkForcedConsent, checkMfa } from '../directory/scenarios.js';

/**
 * `grant_type=password` (resource owner password credentials), as test automation uses it through MSAL's
 * username/password methods: public clients (with public client flows allowed) and confidential ones. As on
 * Entra it works for work and school accounts only — refused on /common and /consumers (AADSTS9001023) — and
 * it cannot satisfy MFA (AADSTS50076) or ask for consent (AADSTS65001): those need an interactive sign-in.
 */
export async function passwordGrant(r: GrantRequest): Promise<TokenResponse> {
  const { ctx, app, p, tenant } = r;
  if (tenant.kind === 'common' || tenant.kind === 'consumers') throw new EntraError(9001023);
  if (r.authLevel === '0' && !app.allowPublicClientFlows) throw new EntraError(7000218);
  const username = requiredParam(p, 'username');
  // An empty password is a wrong one (AADSTS50126), not a missing one.
  const password = p.get('password');
  if (password === undefined) throw new EntraError(900144, { name: 'password' });
  const scope = requiredParam(p, 'scope');
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
  checkMfa(user, app, scopes.resources[0]?.identifier ?? GRAPH_RESOURCE);
  checkForcedConsent(user, app);
  requireConsent(ctx, app, user, scopes);
  return issueForRequest(r, {
    user,
    scopes,
    authTime: Math.floor(Date.now() / 1000),
    grantId: randomUUID(),
  });
}
