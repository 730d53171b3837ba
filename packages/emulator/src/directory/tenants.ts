import { EntraError } from '../errors/entra-error.js';
import { CONSUMERS_TENANT_ID, type Directory, GUID_RE, type Tenant } from './model.js';

export interface ResolvedTenant {
  /** The path segment as requested (echoed in endpoint URLs). */
  segment: string;
  kind: 'common' | 'organizations' | 'consumers' | 'tenant';
  tenant?: Tenant;
  /** Tenant part of the discovery issuer: a GUID, or the literal `{tenantid}` for multi-tenant segments. */
  issuerTenant: string;
}

/** Resolves a tenant path segment: common, organizations, consumers, a tenant GUID or a verified domain. */
export function resolveTenant(dir: Directory, segment: string): ResolvedTenant {
  const lower = segment.toLowerCase();
  if (lower === 'common' || lower === 'organizations')
    return { segment, kind: lower, issuerTenant: '{tenantid}' };
  if (lower === 'consumers' || lower === CONSUMERS_TENANT_ID) {
    return { segment, kind: 'consumers', issuerTenant: CONSUMERS_TENANT_ID };
  }
  for (const tenant of dir.tenants.values()) {
    if (tenant.id === lower || tenant.domain.toLowerCase() === lower) {
      return { segment, kind: 'tenant', tenant, issuerTenant: tenant.id };
    }
  }
  if (!GUID_RE.test(segment) && !/^[a-z0-9-]+(\.[a-z0-9-]+)+$/i.test(segment)) {
    throw new EntraError(90002, { tenant: segment.slice(0, 100) });
  }
  throw new EntraError(90002, { tenant: segment });
}
