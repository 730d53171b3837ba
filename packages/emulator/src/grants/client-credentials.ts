import type { EmulatorContext } from '../context.js';
import { findResource, type Resource } from '../directory/resources.js';
import { EntraError } from '../errors/entra-error.js';
import { issueAppOnly, type TokenResponse } from '../tokens/issue.js';
import { audienceIdentifier, OIDC_SCOPES } from '../directory/scopes.js';
import { type GrantRequest, requiredParam } from './grant-request.js';

/**
 * `grant_type=client_credentials`: one `RESOURCE/.default` scope; the app's granted app roles in `roles`. The
 * response names no `scope` (MSAL then caches the token under the scopes it asked for).
 */
export async function clientCredentialsGrant(r: GrantRequest): Promise<TokenResponse> {
  const { ctx, app, authLevel, tenant } = r;
  if (tenant.kind !== 'tenant') throw new EntraError(9001023);
  if (authLevel === '0') throw new EntraError(7000218);
  if (app.signInAudience === 'AzureADMyOrg' && tenant.tenant!.id !== app.tenantId) {
    throw new EntraError(700016, { clientId: app.clientId, tenant: tenant.segment });
  }
  const scope = requiredParam(r.p, 'scope');
  // OIDC scopes next to the `.default` are accepted and play no part (Azure SDK traffic sends them).
  const items = scope
    .split(/[ ]+/)
    .filter((s) => s && !(OIDC_SCOPES as readonly string[]).includes(s.toLowerCase()));
  const detail =
    'Client credential flows must have one scope value with /.default suffixed to the resource identifier (application ID URI).';
  if (items.length !== 1 || !items[0]!.endsWith('/.default')) throw new EntraError(70011, { detail });
  const identifier = items[0]!.slice(0, -'/.default'.length);
  const resource = findResource(ctx.directory, identifier);
  if (!resource) throw new EntraError(500011, { resource: identifier, tenant: tenant.segment });
  const roles = grantedRoles(ctx, app.applicationPermissions, resource);
  const audience = audienceIdentifier(resource, identifier);
  return issueAppOnly(ctx, app, tenant.tenant!.id, resource, audience, roles, authLevel, r.claimsRequest);
}

/** The app roles of `resource` among a service principal's granted application permissions (`roles`). */
export function grantedRoles(
  ctx: EmulatorContext,
  applicationPermissions: Record<string, string[]>,
  resource: Resource,
): string[] {
  const roles = new Set<string>();
  for (const [id, values] of Object.entries(applicationPermissions)) {
    if (findResource(ctx.directory, id)?.appId === resource.appId) for (const v of values) roles.add(v);
  }
  return [...roles];
}
