import type { EmulatorContext } from '../context.js';
import { resolveTenant } from '../directory/tenants.js';
import type { Exchange } from '../http/route.js';
import { v1Issuer } from '../tokens/issuer.js';
import {
  CLIENT_AUTH_METHODS,
  cloudInstance,
  COMMON_CLAIMS,
  RESPONSE_AND_SIGNING,
  sendDiscovery,
} from './discovery.js';

/**
 * `GET /{tenant}/.well-known/openid-configuration` — the v1 document, as Entra serves it for ADAL-era
 * clients and OWIN/Katana middleware: the v1 issuer (`{origin}/{tid}/`, `{tenantid}` on common and
 * organizations; `https://sts.windows.net/…/` on Entra) and the v1 endpoints. It names only endpoints the
 * emulator serves (docs/emulator-fidelity.md lists what Entra's names beyond these).
 */
export function v1OpenidConfiguration(ctx: EmulatorContext, x: Exchange): void {
  const t = resolveTenant(ctx.directory, x.params.tenant!);
  const base = `${ctx.url}/${encodeURIComponent(t.segment)}`;
  sendDiscovery(x, {
    token_endpoint: `${base}/oauth2/token`,
    token_endpoint_auth_methods_supported: CLIENT_AUTH_METHODS,
    jwks_uri: `${base}/discovery/keys`,
    ...RESPONSE_AND_SIGNING,
    response_types_supported: ['code', 'id_token', 'code id_token', 'token id_token', 'token'],
    scopes_supported: ['openid'],
    issuer: v1Issuer(ctx.url, t.issuerTenant),
    microsoft_multi_refresh_token: true,
    authorization_endpoint: `${base}/oauth2/authorize`,
    http_logout_supported: true,
    frontchannel_logout_supported: true,
    end_session_endpoint: `${base}/oauth2/logout`,
    claims_supported: [...COMMON_CLAIMS, 'amr', 'nonce', 'email', 'given_name', 'family_name', 'nickname'],
    userinfo_endpoint: `${ctx.url}/oidc/userinfo`,
    ...cloudInstance(ctx, t),
  });
}
