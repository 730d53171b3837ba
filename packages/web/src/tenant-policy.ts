import {
  CONSUMERS_TENANT_ID,
  type ResolvedAuthority,
  type Server,
  checkAllowedTenants,
  isGuid,
} from 'tokenloop';

/**
 * The one tenant rule of the web package: which Entra tenants an API's verifier accepts tokens from (S60, S61,
 * S64) and which tenants' users may sign in to a web app (S95). Both build it from the same options, and both
 * ask it about a token's claims (an access token; an ID token at sign-in).
 */

/** The tenant options (Entra authorities only). */
export interface TenantOptions {
  allowedTenants?: string[] | undefined;
  acceptAnyTenant?: boolean | undefined;
}

/** Which Entra tenants' tokens are accepted; `tenantOf` answers with the token's checked tenant id. */
export interface TenantPolicy {
  /** The token's tenant id (lower case) when it is accepted, else undefined. */
  tenantOf(server: Server, claims: Record<string, unknown>): string | undefined;
}

/** Who applies the rule: the words of its messages, and the error its start-up checks throw. */
export interface TenantPolicyUse {
  /** `API` (bearer verifier) or `app` (web sign-in). */
  subject: string;
  /** What a multi-tenant authority would do, e.g. `accepts tokens from` / `signs in users of`. */
  admits: string;
  /** The configuration error to throw. */
  fail(message: string, remediation: string): Error;
}

type EntraAuthority = Extract<ResolvedAuthority, { kind: 'entra' }>;

/** The tenant an authority names up front, if it names one by id (`consumers` is the personal-account tenant). */
function namedTenant(authority: EntraAuthority): string | undefined {
  if (authority.tenantKind === 'consumers') return CONSUMERS_TENANT_ID;
  if (authority.tenantKind === 'tenant-id') return authority.tenant.toLowerCase();
  return undefined; // a domain's tenant id comes from its discovery document; organizations / common have none
}

/**
 * The tenant rule, checked when the verifier or the web app is built (S61, S95: a multi-tenant authority without
 * `allowedTenants` or `acceptAnyTenant: true` cannot be built). Undefined for generic issuers, which have
 * no tenants (and refuse the options).
 */
export function tenantPolicy(
  authority: ResolvedAuthority,
  o: TenantOptions,
  use: TenantPolicyUse,
): TenantPolicy | undefined {
  const { allowedTenants, acceptAnyTenant } = o;
  const configError = use.fail;
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
  // S216: the library's one rule for the list (tenant ids, GUIDs), with the web's configuration error.
  checkAllowedTenants(allowedTenants, configError, use.subject);
  if (allowedTenants !== undefined && acceptAnyTenant === true)
    throw configError(
      'give allowedTenants or acceptAnyTenant: true, not both',
      'Keep allowedTenants to accept those tenants only.',
    );
  const allowed = allowedTenants && new Set(allowedTenants.map((t) => t.toLowerCase()));
  const multi = authority.tenantKind === 'organizations' || authority.tenantKind === 'common';
  if (multi) {
    // S61, S95: the multi-tenant authorities would accept a token from every Entra tenant in the world.
    if (!allowed && acceptAnyTenant !== true)
      throw configError(
        `the ${authority.tenantKind} authority ${use.admits} any Entra tenant: set allowedTenants to the tenant ids your ${use.subject} serves, or acceptAnyTenant: true if it serves every tenant (and checks the tid claim itself)`,
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
        `Remove acceptAnyTenant, or use https://HOST/organizations for a multi-tenant ${use.subject}.`,
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
