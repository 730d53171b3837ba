import type { EmulatorContext } from '../context.js';
import type { App, User } from '../directory/model.js';
import type { ResolvedTenant } from '../directory/tenants.js';
import { EntraError } from '../errors/entra-error.js';
import type { Params } from '../http/request.js';
import { grantRevoked } from '../state/revoke-grant.js';
import type { ClaimsRequest } from '../tokens/claims-request.js';
import { asksClientInfo } from '../tokens/claims.js';
import {
  type ClientAuthLevel,
  type DelegatedGrant,
  issueDelegated,
  type TokenResponse,
} from '../tokens/issue.js';

/** What the token endpoint hands every grant: the client it authenticated, the request, the tenant of the URL. */
export interface GrantRequest {
  ctx: EmulatorContext;
  app: App;
  p: Params;
  authLevel: ClientAuthLevel;
  /** S140: the token request's `claims`, read once for every grant. */
  claimsRequest: ClaimsRequest;
  tenant: ResolvedTenant;
}

/** A parameter the grant cannot go without: AADSTS900144 naming it when it is absent or empty. */
export function requiredParam(p: Params, name: string): string {
  const value = p.get(name);
  if (!value) throw new EntraError(900144, { name });
  return value;
}

/** AADSTS9002313 with an OAuth error code of the grant's own (invalid_grant unless the grant's RFC says another). */
export function invalidGrant(detail: string, error = 'invalid_grant'): EntraError {
  return new EntraError(9002313, { detail }, { error });
}

/**
 * The user a stored grant (a code, a refresh token) was issued to, while the grant holds: AADSTS50173 once the
 * user's grants were revoked after its sign-in, or the user is gone.
 */
export function grantHolder(
  ctx: EmulatorContext,
  grant: { grantId: string; userId: string; authTime: number },
): User {
  if (grantRevoked(ctx, grant.grantId, grant.authTime * 1000)) throw new EntraError(50173);
  const user = ctx.directory.users.get(grant.userId);
  if (!user) throw new EntraError(50173);
  return user;
}

/** Issues a user's tokens with what every delegated grant takes from its request: client auth, claims, client_info. */
export function issueForRequest(
  r: GrantRequest,
  grant: Omit<DelegatedGrant, 'app' | 'authLevel' | 'claimsRequest' | 'clientInfo'>,
): Promise<TokenResponse> {
  return issueDelegated(r.ctx, {
    app: r.app,
    ...grant,
    authLevel: r.authLevel,
    claimsRequest: r.claimsRequest,
    clientInfo: asksClientInfo(r.p),
  });
}
