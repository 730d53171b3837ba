import { TenantMismatchError, TokenloopError } from '../errors/errors.js';
import { CONSUMERS_TENANT_ID, isGuid, type ResolvedAuthority } from './authority.js';

const TEMPLATE = '{tenantid}';

/**
 * Entra's issuer rule (S17, S18). For `common` / `organizations` the discovery issuer is the literal
 * template `https://HOST/{tenantid}/v2.0`: the token's `tid` (a GUID, allowed by `allowedTenants` when given)
 * is substituted and the result compared exactly. Tenant-specific authorities stay strict: the document's
 * issuer must name the same host, and the same tenant when the authority names it by id; `tenantId` is then
 * that tenant's id (S60: how a domain authority learns its tenant id).
 */
export function entraIssuerFor(
  authority: Extract<ResolvedAuthority, { kind: 'entra' }>,
  issuer: string,
  allowedTenants: readonly string[] | undefined,
): {
  template: boolean;
  tenantId: string | undefined;
  expected: (claims: Record<string, unknown>) => string;
} {
  const allowed = allowedTenants?.map((t) => t.toLowerCase());
  if (issuer.includes(TEMPLATE)) {
    if (authority.tenantKind !== 'common' && authority.tenantKind !== 'organizations') {
      throw new TokenloopError(
        'CONFIGURATION',
        `the discovery issuer is a {tenantid} template for the tenant-specific authority ${authority.url}`,
      );
    }
    return {
      template: true,
      tenantId: undefined,
      expected(claims) {
        const tid = claims.tid;
        if (typeof tid !== 'string' || !isGuid(tid)) {
          throw new TokenloopError(
            'TOKEN_VALIDATION',
            'the token has no valid tenant id (tid) to check its issuer',
          );
        }
        if (allowed && !allowed.includes(tid.toLowerCase())) {
          throw new TokenloopError(
            'TOKEN_VALIDATION',
            `tokens from tenant ${tid} are not accepted (not in allowedTenants)`,
            {
              remediation:
                'Add the tenant id to allowedTenants, or sign in with an account from an allowed tenant.',
            },
          );
        }
        return issuer.replace(TEMPLATE, tid);
      },
    };
  }
  let parsed: URL;
  try {
    parsed = new URL(issuer);
  } catch {
    throw new TokenloopError('INVALID_RESPONSE', 'the discovery document has an invalid issuer');
  }
  const issuerTenant = parsed.pathname.split('/').filter(Boolean)[0]?.toLowerCase();
  const wanted = authority.tenantKind === 'consumers' ? CONSUMERS_TENANT_ID : authority.tenant.toLowerCase();
  const sameHost =
    parsed.host.toLowerCase() === authority.host.toLowerCase() ||
    authority.cloud?.aliases.includes(parsed.hostname.toLowerCase());
  const tenantOk = authority.tenantKind === 'domain' ? isGuid(issuerTenant ?? '') : issuerTenant === wanted;
  if (!sameHost || !tenantOk) {
    throw new TokenloopError(
      'CONFIGURATION',
      `the discovery document's issuer ${JSON.stringify(issuer)} does not belong to the authority ${authority.url}`,
    );
  }
  if (allowed && issuerTenant && !allowed.includes(issuerTenant)) {
    throw new TokenloopError('CONFIGURATION', `tenant ${issuerTenant} is not in allowedTenants`);
  }
  return {
    template: false,
    tenantId: issuerTenant,
    expected(claims) {
      // S206: a token for another tenant (the account's own) is refused by name, not as a mere issuer mismatch.
      const tid = claims.tid;
      if (typeof tid === 'string' && isGuid(tid) && issuerTenant && tid.toLowerCase() !== issuerTenant)
        throw new TenantMismatchError(tid.toLowerCase(), issuerTenant);
      return issuer;
    },
  };
}
