import { type HttpOptions, type ResolvedAuthority, resolveAuthority } from 'tokenloop';
import { ASYMMETRIC_ALGORITHMS, clockToleranceSeconds } from 'tokenloop/validation';
import { HTTP_OPTION_KEYS, type OptionKeys, checkOptionKeys } from '../option-keys.js';
import { type TenantPolicy, tenantPolicy } from '../tenant-policy.js';
import { WebAuthConfigError } from '../web-errors.js';

/** How an API checks the access tokens it receives. */
export interface AccessTokenOptions {
  /** Entra authority of the API's tenant (or `organizations` / `common` for multi-tenant APIs), or... */
  authority?: string;
  /** ...any OpenID provider's issuer. */
  issuer?: string;
  /** The API's identifiers tokens must be addressed to: its client id and/or App ID URI (S47). */
  audience: string | string[];
  /**
   * Entra: accept tokens from these tenants (ids) only, whatever the token version (S61). A multi-tenant
   * authority (`organizations`, `common`) needs this or `acceptAnyTenant`.
   */
  allowedTenants?: string[];
  /**
   * Entra `organizations` / `common`: accept tokens from every tenant — your API then decides by `tid` (S61).
   * `common` includes personal Microsoft accounts (v2 tokens only, S64); `organizations` never does.
   */
  acceptAnyTenant?: boolean;
  /**
   * Generic issuers only: also accept JWT access tokens without the RFC 9068 header `typ: at+jwt`, told apart
   * from ID tokens by their claims alone (S48). Only for providers that do not type their access tokens, and
   * only when `audience` names no client that receives ID tokens from that provider.
   */
  allowUntypedAccessTokens?: boolean;
  /** Leeway for exp / nbf in seconds (default 60, at most 300) (S49). */
  clockToleranceSeconds?: number;
  /** Accepted algorithms (default RS256); symmetric ones and `none` never (S46). */
  algorithms?: string[];
  http?: HttpOptions;
}

/** S96: the keys `createAccessTokenVerifier` knows. */
const ACCESS_TOKEN_KEYS: OptionKeys<AccessTokenOptions> = {
  authority: true,
  issuer: true,
  audience: true,
  allowedTenants: true,
  acceptAnyTenant: true,
  allowUntypedAccessTokens: true,
  clockToleranceSeconds: true,
  algorithms: true,
  http: true,
};

const ASYMMETRIC: ReadonlySet<string> = new Set(ASYMMETRIC_ALGORITHMS);

/** The bearer side's configuration error (start-up), of the web package's one family (S169). */
export const bearerConfigError = (message: string, remediation?: string) =>
  new WebAuthConfigError(message, remediation ? { remediation } : {});

export type EntraAuthority = Extract<ResolvedAuthority, { kind: 'entra' }>;

/** An Entra verifier's tenant rule and authority (S60, S61, S64). */
export interface EntraTenants {
  policy: TenantPolicy;
  authority: EntraAuthority;
}

/** What the options fix, checked once at start-up; a request reads it and computes none of it. */
export interface VerifierConfig {
  authority: ResolvedAuthority;
  audiences: string[];
  algorithms: string[];
  /** S49: the leeway for exp / nbf, in seconds. */
  tolerance: number;
  /** An Entra authority with its tenant rule; undefined for a generic issuer (no tenants). */
  entra: EntraTenants | undefined;
  allowedTenants: string[] | undefined;
  /** S48: how a generic issuer's tokens are told to be access tokens. */
  generic: { kind: 'generic'; allowUntyped: boolean };
  http: HttpOptions | undefined;
  insecure: boolean;
}

/**
 * The verifier's options, checked at start-up (S96: an unknown key; S47 the audience, S46 the algorithms, S215
 * the leeway, S61 the tenants): a mistake is a WebAuthConfigError here, never a refused token later.
 */
export function verifierConfig(o: AccessTokenOptions): VerifierConfig {
  // S96: an option it does not know (a typo, one of another function) stops start-up.
  checkOptionKeys(o, ACCESS_TOKEN_KEYS, 'createAccessTokenVerifier', bearerConfigError);
  checkOptionKeys(o?.http, HTTP_OPTION_KEYS, 'createAccessTokenVerifier http', bearerConfigError);
  const audiences = audiencesOf(o);
  const algorithms = algorithmsOf(o);
  // S215: the library's rule, refused with the web's configuration error (never clamped).
  const tolerance = clockToleranceSeconds(o.clockToleranceSeconds, bearerConfigError);
  if (o.allowUntypedAccessTokens !== undefined && typeof o.allowUntypedAccessTokens !== 'boolean')
    throw bearerConfigError('allowUntypedAccessTokens must be true or false');
  const insecure = o.http?.dangerouslyAllowInsecureHttp === true;
  const authority = resolveAuthority(o.authority ? { authority: o.authority } : { issuer: o.issuer! }, {
    dangerouslyAllowInsecureHttp: insecure,
  });
  // S61: fails here, at start-up, when the tenants are not named.
  const policy = tenantPolicy(authority, o, {
    subject: 'API',
    admits: 'accepts tokens from',
    fail: bearerConfigError,
  });
  if (authority.kind === 'entra' && o.allowUntypedAccessTokens !== undefined)
    throw bearerConfigError(
      'allowUntypedAccessTokens is for generic issuers: Entra access tokens are told apart by their own claims',
    );
  return {
    authority,
    audiences,
    algorithms,
    tolerance,
    entra: policy && authority.kind === 'entra' ? { policy, authority } : undefined,
    allowedTenants: o.allowedTenants,
    generic: { kind: 'generic', allowUntyped: o.allowUntypedAccessTokens === true },
    http: o.http,
    insecure,
  };
}

/** S47: the API's identifiers, at least one. */
function audiencesOf(o: AccessTokenOptions): string[] {
  const audiences = Array.isArray(o.audience) ? o.audience : [o.audience];
  if (audiences.length === 0 || audiences.some((a) => typeof a !== 'string' || !a))
    throw bearerConfigError('audience must name the API (client id or App ID URI)');
  return audiences;
}

/** S46: the asymmetric algorithms of the list (RS256 by default), at least one. */
function algorithmsOf(o: AccessTokenOptions): string[] {
  const algorithms = (o.algorithms ?? ['RS256']).filter((a) => ASYMMETRIC.has(a));
  if (algorithms.length === 0) throw bearerConfigError('algorithms must list asymmetric JWS algorithms');
  return algorithms;
}
