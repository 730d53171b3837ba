import { TokenloopError } from '../errors/errors.js';
import { assertUrlAllowed, parseUrlOption } from '../http/url-policy.js';
import { type EntraCloud, entraCloudOfHost } from './entra-clouds.js';

/** Well-known Entra tenant segments. */
export type EntraTenantKind = 'common' | 'organizations' | 'consumers' | 'tenant-id' | 'domain';

/** The personal-accounts (MSA) tenant id, which `consumers` means. */
export const CONSUMERS_TENANT_ID = '9188040d-6c67-4c5b-b112-36a304b66dad';

const GUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** True for a GUID in the 8-4-4-4-12 form. */
export function isGuid(value: string): boolean {
  return GUID.test(value);
}

/**
 * Where tokens come from. Give exactly one of:
 * - `authority`: a Microsoft Entra (or Entra-compatible, e.g. the tokenloop emulator) authority
 *   `https://HOST/TENANT`, where TENANT is `common`, `organizations`, `consumers`, a tenant id or a domain;
 * - `issuer`: any OpenID Provider, found by discovery (`ISSUER/.well-known/openid-configuration`);
 * - `endpoints`: plain OAuth 2.0 endpoints without OpenID Connect.
 */
export type AuthoritySpec =
  | { authority: string | URL; issuer?: undefined; endpoints?: undefined }
  | { issuer: string | URL; authority?: undefined; endpoints?: undefined }
  | { endpoints: OAuthEndpoints; authority?: undefined; issuer?: undefined };

/** Endpoints of a plain OAuth 2.0 server (no discovery). */
export interface OAuthEndpoints {
  /** Identifies the server in the cache; defaults to the token endpoint's origin. */
  issuer?: string;
  authorization_endpoint?: string;
  token_endpoint: string;
  device_authorization_endpoint?: string;
  revocation_endpoint?: string;
  userinfo_endpoint?: string;
  end_session_endpoint?: string;
}

export type ResolvedAuthority =
  | {
      kind: 'entra';
      /** `https://HOST/TENANT` without a trailing slash. */
      url: string;
      host: string;
      /** The canonical host for cache keys (the cloud's main host, or the host itself for emulators). */
      environment: string;
      tenant: string;
      tenantKind: EntraTenantKind;
      cloud: EntraCloud | undefined;
      /** `https://HOST/TENANT/v2.0/.well-known/openid-configuration`. */
      metadataUrl: string;
    }
  | { kind: 'oidc'; url: string; environment: string; issuer: string; metadataUrl: string }
  | { kind: 'oauth2'; url: string; environment: string; endpoints: OAuthEndpoints };

function tenantKind(tenant: string): EntraTenantKind {
  const t = tenant.toLowerCase();
  if (t === 'common' || t === 'organizations' || t === 'consumers') return t;
  if (isGuid(t)) return 'tenant-id';
  return 'domain';
}

/**
 * Normalise an authority specification and refuse what cannot work (plain http off loopback, a path that
 * is not one tenant segment, ...). Pure: no network.
 *
 * @example
 * ```ts
 * import { resolveAuthority } from 'tokenloop';
 * const a = resolveAuthority({ authority: 'https://login.microsoftonline.com/organizations' });
 * // a.kind === 'entra', a.tenantKind === 'organizations'
 * ```
 */
export function resolveAuthority(
  spec: AuthoritySpec,
  options: { dangerouslyAllowInsecureHttp?: boolean } = {},
): ResolvedAuthority {
  const given = [spec.authority, spec.issuer, spec.endpoints].filter((v) => v !== undefined).length;
  if (given !== 1) {
    throw new TokenloopError(
      'CONFIGURATION',
      'give exactly one of `authority` (Entra), `issuer` (OpenID Connect) or `endpoints` (OAuth 2.0)',
    );
  }
  if (spec.authority !== undefined) {
    const url = parseUrlOption(spec.authority, 'authority');
    assertUrlAllowed(url, 'The authority', options.dangerouslyAllowInsecureHttp);
    if (url.search || url.hash)
      throw new TokenloopError('CONFIGURATION', 'the authority must not have a query or fragment');
    const segments = url.pathname.split('/').filter(Boolean);
    // Accept `https://HOST/TENANT`, `https://HOST/TENANT/`, and `https://HOST/TENANT/v2.0` (people paste issuers).
    if (segments.at(-1)?.toLowerCase() === 'v2.0') segments.pop();
    if (segments.length !== 1 || !segments[0]) {
      throw new TokenloopError(
        'CONFIGURATION',
        `the authority must be https://HOST/TENANT (tenant id, domain, "organizations", "common" or "consumers"), got ${url.href}`,
      );
    }
    const tenant = decodeURIComponent(segments[0]);
    if (!/^[A-Za-z0-9.-]{1,256}$/.test(tenant))
      throw new TokenloopError('CONFIGURATION', `invalid tenant in authority: ${JSON.stringify(tenant)}`);
    const cloud = entraCloudOfHost(url.hostname);
    const origin = cloud ? `https://${cloud.host}` : url.origin;
    const base = `${origin}/${tenant}`;
    return {
      kind: 'entra',
      url: base,
      host: cloud?.host ?? url.host,
      environment: cloud?.host ?? url.host,
      tenant,
      tenantKind: tenantKind(tenant),
      cloud,
      metadataUrl: `${base}/v2.0/.well-known/openid-configuration`,
    };
  }
  if (spec.issuer !== undefined) {
    const url = parseUrlOption(spec.issuer, 'issuer');
    assertUrlAllowed(url, 'The issuer', options.dangerouslyAllowInsecureHttp);
    if (url.search || url.hash)
      throw new TokenloopError('CONFIGURATION', 'the issuer must not have a query or fragment');
    // Kept as given: discovery compares it with the document's `issuer` as normalised URLs (S17).
    const issuer = typeof spec.issuer === 'string' ? spec.issuer : url.href;
    // RFC 8414 §3 / OIDC Discovery §4: append the well-known path to the issuer (keeping any path).
    const metadataUrl = `${url.href.replace(/\/$/, '')}/.well-known/openid-configuration`;
    return { kind: 'oidc', url: issuer, environment: issuer, issuer, metadataUrl };
  }
  const endpoints = spec.endpoints!;
  const token = parseUrlOption(endpoints.token_endpoint, 'token_endpoint');
  for (const [name, value] of Object.entries(endpoints)) {
    if (name === 'issuer' || value === undefined) continue;
    assertUrlAllowed(parseUrlOption(value, name), name, options.dangerouslyAllowInsecureHttp);
  }
  const issuer = endpoints.issuer ?? token.origin;
  return { kind: 'oauth2', url: issuer, environment: issuer, endpoints };
}
