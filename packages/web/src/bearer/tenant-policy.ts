import { CONSUMERS_TENANT_ID, type ResolvedAuthority, type Server, TokenloopError, isGuid } from 'tokenloop';

/** The tenant options of an API's verifier (Entra authorities only). */
export interface TenantOptions {
  allowedTenants?: string[] | undefined;
  acceptAnyTenant?: boolean | undefined;
}

/** Which Entra tenants' tokens an API accepts; `tenantOf` answers with the token's checked tenant id. */
export interface TenantPolicy {
  /** The token's tenant id (lower case) when it is accepted, else undefined. */
  tenantOf(server: Server, claims: Record<string, unknown>): string | undefined;
}

type EntraAuthority = Extract<ResolvedAuthority, { kind: 'entra' }>;

const configError = (message: string, remediation: string) =>
  new TokenloopError('CONFIGURATION', message, { remediation });

/** The tenant an authority names up front, if it names one by id (`consumers` is the personal-account tenant). */
function namedTenant(authority: EntraAuthority): string | undefined {
  if (authority.tenantKind === 'consumers') return CONSUMERS_TENANT_ID;
  if (authority.tenantKind === 'tenant-id') return authority.tenant.toLowerCase();
  return undefined; // a domain's tenant id comes from its discovery document; organizations / common have none
}

/**
 * The tenant rule of an API's verifier, checked when it is built (S61: a multi-tenant authority without
 * `allowedTenants` or `acceptAnyTenant: true` cannot be built). Undefined for generic issuers, which have
 * no tenants (and refuse the options).
 */
export function tenantPolicy(authority: ResolvedAuthority, o: TenantOptions): TenantPolicy | undefined {
  const { allowedTenants, acceptAnyTenant } = o;
  if (acceptAnyTenant !== undefined && typeof acceptAnyTenant !== 'boolean')
    throw configError(
      'acceptAnyTenant must be true or false',
      'Write acceptAnyTenant: true, or leave it out.',
    );
  if (authority.kind !== 'entra') {
    if (allowedTenants !== undefined || acceptAnyTenant !== undefined)
      throw configError(
        'allowedTenants and acceptAnyTenant are for Entra authorities; a generic issuer has no tenants',
        'Remove allowedTenants / acceptAnyTenant, or configure an Entra `authority` instead of `issuer`.',
      );
    return undefined;
  }
  if (
    allowedTenants !== undefined &&
    (!Array.isArray(allowedTenants) ||
      allowedTenants.length === 0 ||
      !allowedTenants.every((t) => typeof t === 'string' && isGuid(t)))
  ) {
    throw configError(
      'allowedTenants must list tenant ids (GUIDs): tokens name their tenant by id (tid), never by domain',
      'List the directory (tenant) ids of the tenants your API serves, as shown in their Entra overview.',
    );
  }
  if (allowedTenants !== undefined && acceptAnyTenant === true)
    throw configError(
      'give allowedTenants or acceptAnyTenant: true, not both',
      'Keep allowedTenants to accept those tenants only.',
    );
  const allowed = allowedTenants && new Set(allowedTenants.map((t) => t.toLowerCase()));
  const multi = authority.tenantKind === 'organizations' || authority.tenantKind === 'common';
  if (multi) {
    // S61: the multi-tenant authorities would accept a token from every Entra tenant in the world.
    if (!allowed && acceptAnyTenant !== true)
      throw configError(
        `the ${authority.tenantKind} authority accepts tokens from any Entra tenant: set allowedTenants to the tenant ids your API serves, or acceptAnyTenant: true if it serves every tenant (and checks the tid claim itself)`,
        `Add allowedTenants: ['<tenant id>'], or use the tenant's own authority (https://HOST/<tenant id>).`,
      );
    // S64: personal accounts never come through `organizations`.
    if (authority.tenantKind === 'organizations' && allowed?.has(CONSUMERS_TENANT_ID))
      throw configError(
        `allowedTenants lists the personal-account tenant ${CONSUMERS_TENANT_ID}, which the organizations authority never serves`,
        'Use the common authority to accept personal Microsoft accounts, or remove that tenant.',
      );
  } else {
    if (acceptAnyTenant === true)
      throw configError(
        `acceptAnyTenant is for the organizations and common authorities; ${authority.url} accepts its own tenant's tokens only`,
        'Remove acceptAnyTenant, or use https://HOST/organizations for a multi-tenant API.',
      );
    const own = namedTenant(authority);
    if (own && allowed && !allowed.has(own))
      throw configError(
        `allowedTenants does not list the authority's own tenant ${own}, so no token could pass`,
        `Add ${own} to allowedTenants, or remove allowedTenants.`,
      );
  }
  const personalOk = authority.tenantKind !== 'organizations';
  return {
    tenantOf(server, claims) {
      const tid = claims.tid;
      if (typeof tid !== 'string' || !isGuid(tid)) return undefined;
      const t = tid.toLowerCase();
      // S60: a tenant-specific authority (id, domain, consumers) accepts its own tenant's tokens only; its id
      // is the one its discovery issuer names (a domain authority learns it there).
      if (!multi && (server.tenantId === undefined || t !== server.tenantId.toLowerCase())) return undefined;
      // S61: the allow-list holds for every token version.
      if (allowed && !allowed.has(t)) return undefined;
      if (t === CONSUMERS_TENANT_ID && !personalOk) return undefined; // S64
      return t;
    },
  };
}
