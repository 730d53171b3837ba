import type { EmulatorContext } from '../context.js';
import type { App } from '../directory/model.js';
import type { ResolvedTenant } from '../directory/tenants.js';
import { v2Issuer } from '../tokens/issuer.js';

/**
 * The `aud` values a client assertion (private_key_jwt) may carry, wherever the emulator authenticates clients
 * (token and introspection endpoints): the token endpoint URL as Entra documents it — by the requested tenant
 * segment, the tenant's id or domain, v2 or v1 path — and the issuer (RFC 7523 §3), the tenant's v2.0 issuer
 * or, on /common and /organizations, that of the app's home tenant.
 */
export function assertionAudiences(ctx: EmulatorContext, tenant: ResolvedTenant, app: App): string[] {
  const base = `${ctx.url}/${tenant.segment}`;
  const out = [`${base}/oauth2/v2.0/token`, `${base}/oauth2/token`];
  if (tenant.tenant) {
    out.push(
      `${ctx.url}/${tenant.tenant.id}/oauth2/v2.0/token`,
      `${ctx.url}/${tenant.tenant.domain}/oauth2/v2.0/token`,
    );
  }
  out.push(v2Issuer(ctx.url, tenant.tenant?.id ?? app.tenantId));
  return [...new Set(out)];
}
