import type { JWTPayload } from 'jose';
import { CONSUMERS_TENANT_ID, type Server, entraV1Issuer } from 'tokenloop';
import { InvalidTokenError } from '../web-errors.js';
import type { EntraAuthority, EntraTenants, VerifierConfig } from './access-token-options.js';

/**
 * The bearer verifier's tenant table (S60, S61, S64): each accepted tenant's issuers, made once the issuer's
 * metadata is known, and its word on a token's signed claims.
 */

/** An accepted tenant's issuers: v2, and v1 unless refused (S64: the personal-account tenant's). */
export interface TenantIssuers {
  v2: string;
  v1?: string;
  refusedV1?: string;
}

/** The accepted tenants' issuers by tenant id (lower case), as the loaded verifier keeps them. */
export interface TenantTable {
  server: Server;
  table: Map<string, TenantIssuers>;
  /** Whether the table lists every accepted tenant (else `acceptAnyTenant`: filled as tokens come). */
  listed: boolean;
}

/** acceptAnyTenant: how many tenants' issuers are kept before the table starts over. */
const MAX_UNLISTED_TENANTS = 1024;

/** Made only when refused: an error captures a stack, which costs more than the whole check (bench). */
const otherTenant = () => new InvalidTokenError('the token comes from a tenant that is not accepted');

/**
 * The listed tenants' issuers, and every issuer an accepted token may carry (jwtVerify's `issuer`, S168): a
 * generic issuer's one issuer; each listed tenant's v2 and v1 issuer; undefined where the tenants are not listed
 * (`acceptAnyTenant`), where the tenant table alone decides.
 */
export function acceptedIssuers(
  config: VerifierConfig,
  server: Server,
): { table: Map<string, TenantIssuers>; issuer: string | string[] | undefined } {
  const table = new Map<string, TenantIssuers>();
  const { entra } = config;
  if (!entra) return { table, issuer: server.expectedIssuer({}) };
  const { authority } = entra;
  const multi = authority.tenantKind === 'organizations' || authority.tenantKind === 'common';
  const listed = multi ? config.allowedTenants : server.tenantId === undefined ? [] : [server.tenantId];
  if (!listed) return { table, issuer: undefined };
  // S60, S61, S64: the same tenant rule decides which listed tenants are accepted at all.
  for (const t of listed) {
    const tid = entra.policy.tenantOf(server, { tid: t });
    const issuers = tid === undefined ? undefined : tenantIssuers(authority, server, tid);
    if (tid !== undefined && issuers) table.set(tid, issuers);
  }
  const issuer = [...table.values()].flatMap((i) => (i.v1 === undefined ? [i.v2] : [i.v2, i.v1]));
  return { table, issuer };
}

/** A tenant's issuers (S64: a personal-account tenant's v1 issuer is refused), or undefined when it has none. */
function tenantIssuers(authority: EntraAuthority, server: Server, tid: string): TenantIssuers | undefined {
  let v2: string;
  try {
    v2 = server.expectedIssuer({ tid });
  } catch {
    return undefined;
  }
  const v1 = entraV1Issuer(authority, tid);
  // S64: Entra issues personal-account tokens for APIs as v2 only.
  return tid === CONSUMERS_TENANT_ID ? { v2, refusedV1: v1 } : { v2, v1 };
}

/**
 * The tenant table's word on signed claims (S60, S61, S64): the token's tenant is accepted and its issuer is
 * that tenant's v2 or v1 issuer (which one fixes the access-token markers, S48); else why not. Asked once the
 * signature holds, before any other claim's refusal is told.
 */
export function tenantVerdict(
  entra: EntraTenants,
  state: TenantTable,
  claims: JWTPayload,
): 'v1' | 'v2' | InvalidTokenError {
  const tid = entra.policy.tenantOf(state.server, claims);
  if (tid === undefined) return otherTenant();
  let issuers = state.table.get(tid);
  if (!issuers && !state.listed) {
    // acceptAnyTenant: a tenant's issuers are made when its first signed token comes, and kept (bounded).
    issuers = tenantIssuers(entra.authority, state.server, tid);
    if (issuers) {
      if (state.table.size >= MAX_UNLISTED_TENANTS) state.table.clear();
      state.table.set(tid, issuers);
    }
  }
  if (!issuers) return otherTenant();
  const iss = claims.iss;
  if (iss === issuers.v2) return 'v2';
  if (issuers.v1 !== undefined && iss === issuers.v1) return 'v1';
  if (issuers.refusedV1 !== undefined && iss === issuers.refusedV1) return otherTenant(); // S64
  return new InvalidTokenError('the token has another issuer');
}
