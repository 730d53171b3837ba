import { TokenloopError } from '../errors/errors.js';

/** OpenID Connect scopes: they ask for an ID token / refresh token, not for access to a resource. */
export const OIDC_SCOPES: ReadonlySet<string> = new Set([
  'openid',
  'profile',
  'email',
  'offline_access',
  'address',
  'phone',
]);

/**
 * The scopes a cached token is matched on: lower-cased, de-duplicated, sorted, without the OpenID Connect
 * ones. On Entra a bare permission (`User.Read`) is qualified with Microsoft Graph, as Entra itself does.
 */
export function resourceScopes(
  scopes: readonly string[],
  kind: 'entra' | 'oidc' | 'oauth2' = 'oidc',
  graphHost = 'graph.microsoft.com',
): string[] {
  const out = new Set<string>();
  for (const s of scopes) {
    const v = s.trim().toLowerCase();
    if (!v || OIDC_SCOPES.has(v)) continue;
    out.add(kind === 'entra' && !v.includes('/') ? `https://${graphHost}/${v}` : v);
  }
  return [...out].sort();
}

/**
 * The resource a set of scopes is for. On Entra a scope is `RESOURCE/permission` (`https://graph.microsoft.com/User.Read`,
 * `api://my-api/access`, `00000003-.../.default`); a bare permission (`User.Read`) means Microsoft Graph. A
 * token is issued for one resource only, so scopes for several resources in one call are refused.
 * Elsewhere scopes carry no resource: every scope maps to the default resource ''.
 *
 * @example
 * ```ts
 * import { resourceOf } from 'tokenloop';
 * resourceOf(['https://outlook.office.com/IMAP.AccessAsUser.All', 'offline_access'], 'entra', 'graph.microsoft.com');
 * // 'https://outlook.office.com'
 * ```
 */
export function resourceOf(
  scopes: readonly string[],
  kind: 'entra' | 'oidc' | 'oauth2',
  graphHost = 'graph.microsoft.com',
): string {
  if (kind !== 'entra') return '';
  const resources = new Set<string>();
  for (const scope of resourceScopes(scopes, kind, graphHost))
    resources.add(scope.slice(0, scope.lastIndexOf('/')));
  if (resources.size > 1) {
    throw new TokenloopError(
      'INVALID_ARGUMENT',
      `scopes for several resources in one request (${[...resources].join(', ')}); ask for one resource at a time`,
      {
        remediation: 'Request tokens per resource: one refresh token serves them all.',
      },
    );
  }
  return [...resources][0] ?? `https://${graphHost}`;
}

/** True when `granted` covers every scope in `wanted` (both normalised by `resourceScopes`). */
export function scopesCover(granted: readonly string[], wanted: readonly string[]): boolean {
  return wanted.every((w) => granted.includes(w));
}
