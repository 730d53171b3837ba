import type * as oauth from 'oauth4webapi';
import { TokenloopError } from '../errors/errors.js';
import { isUnavailableStatus } from '../errors/unavailable-status.js';
import type { FetchLike } from '../http/http-client.js';
import { type RetryNotice, withRetry } from '../http/retry.js';
import { assertUrlAllowed } from '../http/url-policy.js';
import { debug } from '../log/debug.js';
import type { ResolvedAuthority } from './authority.js';
import { entraIssuerFor } from './entra-issuer.js';

/** What tokenloop knows about a server after discovery: oauth4webapi's metadata plus the issuer rule. */
export interface Server {
  authority: ResolvedAuthority;
  /**
   * Metadata in oauth4webapi's shape. For Entra `common`/`organizations` its `issuer` is the `{tenantid}`
   * template: process token responses with `asForTokenResponse` so the ID token is checked against its tenant.
   */
  as: oauth.AuthorizationServer;
  /**
   * The issuer a token with these claims must carry (S18): the metadata issuer, or for Entra `{tenantid}`
   * templates the template with the token's `tid` — which must be a GUID and, if configured, allowed.
   */
  expectedIssuer(claims: Record<string, unknown>): string;
  /**
   * A tenant-specific Entra authority's tenant id, as its discovery issuer names it (S60: a domain authority's
   * tenant id is learned here); undefined for `common` / `organizations` and other providers.
   */
  tenantId?: string | undefined;
  /** When the metadata was fetched (epoch ms). */
  fetchedAt: number;
}

export interface DiscoveryOptions {
  fetch: FetchLike;
  /** Entra multi-tenant: tenants (ids) whose tokens are accepted; default: any tenant. */
  allowedTenants?: readonly string[] | undefined;
  dangerouslyAllowInsecureHttp?: boolean | undefined;
  signal?: AbortSignal | undefined;
  /** Told before each retry (`HttpOptions.onRetry`). */
  onRetry?: ((notice: RetryNotice) => void) | undefined;
}

function check(value: unknown, name: string, body: unknown): string | undefined {
  if (value === undefined) return undefined;
  if (typeof value !== 'string' || value.length === 0) {
    throw new TokenloopError('INVALID_RESPONSE', `discovery document has an invalid "${name}"`, {
      cause: { body },
    });
  }
  return value;
}

async function parseMetadata(response: Response, url: URL): Promise<oauth.AuthorizationServer> {
  let body: unknown;
  try {
    body = await response.json();
  } catch {
    throw new TokenloopError(
      'INVALID_RESPONSE',
      `discovery document at ${url.origin}${url.pathname} is not JSON`,
    );
  }
  if (typeof body !== 'object' || body === null || Array.isArray(body)) {
    throw new TokenloopError(
      'INVALID_RESPONSE',
      `discovery document at ${url.origin}${url.pathname} is not a JSON object`,
    );
  }
  const issuer = (body as { issuer?: unknown }).issuer;
  if (typeof issuer !== 'string' || !URL.canParse(issuer.replace('{tenantid}', 'x'))) {
    throw new TokenloopError(
      'INVALID_RESPONSE',
      `discovery document at ${url.origin}${url.pathname} has no valid "issuer"`,
    );
  }
  return body as oauth.AuthorizationServer;
}

/**
 * The metadata to process one token response with: for an Entra `{tenantid}` issuer, the template with the
 * tenant of the response's ID token substituted (GUID and allow-list checked, S18); for a tenant-specific one,
 * an ID token of another tenant is refused here (S206: TenantMismatchError). The ID token is only
 * decoded here; oauth4webapi and `validateIdToken` then check it fully against this issuer.
 */
export async function asForTokenResponse(
  server: Server,
  response: Response,
): Promise<oauth.AuthorizationServer> {
  const template = server.as.issuer.includes('{tenantid}');
  // S206: a tenant-specific authority's token of another tenant is named before oauth4webapi's bare issuer check.
  if ((!template && server.tenantId === undefined) || !response.ok) return server.as;
  let claims: Record<string, unknown>;
  try {
    const body: unknown = await response.clone().json();
    const idToken = (body as { id_token?: unknown } | null)?.id_token;
    if (typeof idToken !== 'string') return server.as;
    const payload: unknown = JSON.parse(
      Buffer.from(idToken.split('.')[1] ?? '', 'base64url').toString('utf8'),
    );
    if (typeof payload !== 'object' || payload === null) return server.as;
    claims = payload as Record<string, unknown>;
  } catch {
    return server.as; // oauth4webapi reports the malformed body
  }
  if (!template) {
    // Refused before its signature is checked: a refusal only, never an acceptance, so the claim may be unverified.
    server.expectedIssuer(claims); // throws for a token of another tenant
    return server.as;
  }
  return { ...server.as, issuer: server.expectedIssuer({ tid: claims.tid }) };
}

/**
 * Fetch and validate a server's metadata (OIDC Discovery 1.0 / RFC 8414). Retried when safe (C7). The
 * document's `issuer` must equal the configured issuer (S17); Entra's `{tenantid}` template is the one
 * vetted exception. Every endpoint must be https (or loopback http) (S16).
 */
export async function discover(authority: ResolvedAuthority, options: DiscoveryOptions): Promise<Server> {
  if (authority.kind === 'oauth2') {
    const as: oauth.AuthorizationServer = { ...authority.endpoints, issuer: authority.url };
    return { authority, as, expectedIssuer: () => as.issuer, fetchedAt: Date.now() };
  }
  const url = new URL(authority.metadataUrl);
  debug('discovery', `fetching ${url.href}`);
  const onRetry = options.onRetry;
  const response = await withRetry(
    () => options.fetch(url, { headers: { accept: 'application/json' }, signal: options.signal }),
    onRetry ? { onRetry: (notice) => onRetry({ ...notice, url: `${url.origin}${url.pathname}` }) } : {},
    options.signal,
  );
  if (response.status !== 200) {
    const code = isUnavailableStatus(response.status) ? 'PROVIDER_UNAVAILABLE' : 'CONFIGURATION';
    throw new TokenloopError(
      code,
      `discovery at ${url.origin}${url.pathname} answered HTTP ${response.status}`,
      {
        remediation:
          code === 'CONFIGURATION'
            ? 'Check the authority / issuer URL (and the tenant name).'
            : 'Try again shortly.',
      },
    );
  }
  const as = await parseMetadata(response, url);
  for (const name of [
    'authorization_endpoint',
    'token_endpoint',
    'device_authorization_endpoint',
    'userinfo_endpoint',
    'jwks_uri',
    'end_session_endpoint',
    'revocation_endpoint',
    'introspection_endpoint',
  ] as const) {
    const value = check(as[name], name, as);
    if (value !== undefined) {
      let endpoint: URL;
      try {
        endpoint = new URL(value);
      } catch {
        throw new TokenloopError('INVALID_RESPONSE', `discovery document has an invalid "${name}"`);
      }
      assertUrlAllowed(endpoint, `The server's ${name}`, options.dangerouslyAllowInsecureHttp);
    }
  }
  if (authority.kind === 'entra') {
    const rule = entraIssuerFor(authority, as.issuer, options.allowedTenants);
    return { authority, as, expectedIssuer: rule.expected, tenantId: rule.tenantId, fetchedAt: Date.now() };
  }
  if (new URL(as.issuer).href !== new URL(authority.issuer).href) {
    throw new TokenloopError(
      'CONFIGURATION',
      `the discovery document's issuer ${JSON.stringify(as.issuer)} differs from the configured issuer ${JSON.stringify(authority.issuer)}`,
      {
        remediation:
          'Configure the exact issuer the provider publishes (compare with its /.well-known/openid-configuration).',
      },
    );
  }
  return { authority, as, expectedIssuer: () => as.issuer, fetchedAt: Date.now() };
}
