import { EntraError } from '../errors/entra-error.js';

/**
 * The v1 endpoints' one rule for `resource`: a v1 request stands for the `.default` scope of that resource (v1
 * apps have static permissions: what is configured for the resource, as consented), so the grants and the
 * sign-in flow run unchanged. `https://management.core.windows.net/` becomes
 * `https://management.core.windows.net//.default`, keeping the identifier as the client wrote it (the v1
 * token's `aud`).
 * S124: a value that cannot be one resource identifier (whitespace, or too long) names no resource: AADSTS500011,
 * never a token for some default resource.
 */
export function resourceScope(resource: string, tenant: string): string {
  if (/\s/.test(resource) || resource.length > 2048)
    throw new EntraError(500011, { resource: resource.slice(0, 200), tenant });
  return `${resource}/.default`;
}

/** S124: a v1 token needs a resource, named at authorize or in the token request (AADSTS500013). */
export function requireResource(resource: string | undefined, tenant: string): string {
  if (resource === undefined) throw new EntraError(500013);
  return resourceScope(resource, tenant);
}

/** What a v1 user sign-in always stands for: the ID token and the (multi-resource) refresh token come unasked. */
export const V1_USER_SCOPES = ['openid', 'profile', 'offline_access'] as const;
