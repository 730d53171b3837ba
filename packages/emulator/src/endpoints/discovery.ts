import type { EmulatorContext } from '../context.js';
import { resolveTenant, type ResolvedTenant } from '../directory/tenants.js';
import { sendJson } from '../http/respond.js';
import type { Exchange } from '../http/route.js';

const CACHE = { 'Cache-Control': 'max-age=86400, private' };

/** Sends a discovery document (v1 or v2 metadata, keys, instance metadata) as Entra does: cacheable for a day. */
export function sendDiscovery(x: Exchange, body: Record<string, unknown>): void {
  sendJson(x.res, 200, body, CACHE);
}

/** What the v1 and v2 documents both say of client authentication, response modes and ID-token signing. */
export const CLIENT_AUTH_METHODS = ['client_secret_post', 'private_key_jwt', 'client_secret_basic'];
export const RESPONSE_AND_SIGNING = {
  response_modes_supported: ['query', 'fragment', 'form_post'],
  subject_types_supported: ['pairwise'],
  id_token_signing_alg_values_supported: ['RS256'],
};

/** The head of `claims_supported` in both documents; each adds its own after these. */
export const COMMON_CLAIMS = [
  'sub',
  'iss',
  'cloud_instance_name',
  'cloud_instance_host_name',
  'cloud_graph_host_name',
  'msgraph_host',
  'aud',
  'exp',
  'iat',
  'auth_time',
  'acr',
];

/** The cloud the emulator stands for, as discovery and user realm discovery name it. */
export const CLOUD_INSTANCE_NAME = 'microsoftonline.com';

/** The cloud-instance fields of both documents: the region (a tenant only), the cloud and Graph host names. */
export function cloudInstance(ctx: EmulatorContext, t: ResolvedTenant): Record<string, string | null> {
  return {
    tenant_region_scope: t.kind === 'tenant' ? 'EU' : null,
    cloud_instance_name: CLOUD_INSTANCE_NAME,
    cloud_graph_host_name: 'graph.windows.net',
    msgraph_host: new URL(ctx.url).host,
    rbac_url: 'https://pas.windows.net',
  };
}

// Any page may read these documents: the route table says so, and the router adds the CORS headers (http/cors.ts).

/** `GET /{tenant}/v2.0/.well-known/openid-configuration` */
export function openidConfiguration(ctx: EmulatorContext, x: Exchange): void {
  const t = resolveTenant(ctx.directory, x.params.tenant!);
  const base = `${ctx.url}/${encodeURIComponent(t.segment)}`;
  sendDiscovery(x, {
    token_endpoint: `${base}/oauth2/v2.0/token`,
    token_endpoint_auth_methods_supported: CLIENT_AUTH_METHODS,
    jwks_uri: `${base}/discovery/v2.0/keys`,
    ...RESPONSE_AND_SIGNING,
    response_types_supported: ['code', 'id_token', 'code id_token', 'id_token token'],
    scopes_supported: ['openid', 'profile', 'email', 'offline_access'],
    issuer: `${ctx.url}/${t.issuerTenant}/v2.0`,
    request_uri_parameter_supported: false,
    userinfo_endpoint: `${ctx.url}/oidc/userinfo`,
    authorization_endpoint: `${base}/oauth2/v2.0/authorize`,
    device_authorization_endpoint: `${base}/oauth2/v2.0/devicecode`,
    http_logout_supported: true,
    frontchannel_logout_supported: true,
    end_session_endpoint: `${base}/oauth2/v2.0/logout`,
    claims_supported: [
      ...COMMON_CLAIMS,
      'nonce',
      'preferred_username',
      'name',
      'tid',
      'ver',
      'at_hash',
      'c_hash',
      'email',
    ],
    code_challenge_methods_supported: ['plain', 'S256'],
    kerberos_endpoint: `${base}/kerberos`,
    ...cloudInstance(ctx, t),
    introspection_endpoint: `${base}/oauth2/v2.0/introspect`,
  });
}

/** `GET /{tenant}/discovery/v2.0/keys` — every published key, with `x5t`, `x5c` and the v2 issuer template. */
export function jwks(ctx: EmulatorContext, x: Exchange): void {
  const t = resolveTenant(ctx.directory, x.params.tenant!);
  const issuer = `${ctx.url}/${t.kind === 'tenant' ? t.issuerTenant : '{tenantid}'}/v2.0`;
  sendDiscovery(x, { keys: ctx.keys.published().map((k) => ({ ...k.jwk, issuer })) });
}

/** `GET /common/discovery/instance` — the instance metadata MSAL asks for. */
export function instanceDiscovery(ctx: EmulatorContext, x: Exchange): void {
  const host = new URL(ctx.url).host;
  const endpoint = x.query.get('authorization_endpoint');
  let tenant = 'common';
  if (endpoint) {
    try {
      tenant = new URL(endpoint).pathname.split('/')[1] || 'common';
    } catch {
      // keep common
    }
  }
  sendDiscovery(x, {
    tenant_discovery_endpoint: `${ctx.url}/${tenant}/v2.0/.well-known/openid-configuration`,
    'api-version': '1.1',
    metadata: [{ preferred_network: host, preferred_cache: host, aliases: [host] }],
  });
}
