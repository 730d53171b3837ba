import type { EmulatorContext } from '../context.js';
import { resolveTenant } from '../directory/tenants.js';
import { sendJson } from '../http/respond.js';
import type { Exchange } from '../http/route.js';
import { v1Issuer } from '../tokens/issuer.js';

const CACHE = { 'Cache-Control': 'max-age=86400, private' };

/**
 * `GET /{tenant}/.well-known/openid-configuration` — the v1 document, as Entra serves it for ADAL-era
 * clients and OWIN/Katana middleware: the v1 issuer (`{origin}/{tid}/`, `{tenantid}` on common and
 * organizations; `https://sts.windows.net/…/` on Entra) and the v1 endpoints. It names only endpoints the
 * emulator serves (docs/emulator-fidelity.md lists what Entra's names beyond these).
 */
export function v1OpenidConfiguration(ctx: EmulatorContext, x: Exchange): void {
  const t = resolveTenant(ctx.directory, x.params.tenant!);
  const base = `${ctx.url}/${encodeURIComponent(t.segment)}`;
  sendJson(
    x.res,
    200,
    {
      token_endpoint: `${base}/oauth2/token`,
      token_endpoint_auth_methods_supported: ['client_secret_post', 'private_key_jwt', 'client_secret_basic'],
      jwks_uri: `${base}/discovery/keys`,
      response_modes_supported: ['query', 'fragment', 'form_post'],
      subject_types_supported: ['pairwise'],
      id_token_signing_alg_values_supported: ['RS256'],
      response_types_supported: ['code', 'id_token', 'code id_token', 'token id_token', 'token'],
      scopes_supported: ['openid'],
      issuer: v1Issuer(ctx.url, t.issuerTenant),
      microsoft_multi_refresh_token: true,
      authorization_endpoint: `${base}/oauth2/authorize`,
      http_logout_supported: true,
      frontchannel_logout_supported: true,
      end_session_endpoint: `${base}/oauth2/logout`,
      claims_supported: [
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
        'amr',
        'nonce',
        'email',
        'given_name',
        'family_name',
        'nickname',
      ],
      userinfo_endpoint: `${ctx.url}/oidc/userinfo`,
      tenant_region_scope: t.kind === 'tenant' ? 'EU' : null,
      cloud_instance_name: 'microsoftonline.com',
      cloud_graph_host_name: 'graph.windows.net',
      msgraph_host: new URL(ctx.url).host,
      rbac_url: 'https://pas.windows.net',
    },
    CACHE,
  );
}
