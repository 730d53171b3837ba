import type { EmulatorContext } from '../context.js';
import { isPublicClient } from '../directory/model.js';
import { findResource } from '../directory/resources.js';
import { requireApp } from '../directory/require-app.js';
import { resolveTenant } from '../directory/tenants.js';
import { EntraError } from '../errors/entra-error.js';
import { assertionAudiences } from '../grants/assertion-audiences.js';
import { authenticateClient, readClientCredentials } from '../grants/client-auth.js';
import { isFormContentType, parseParams, readBody } from '../http/request.js';
import { sendJson } from '../http/respond.js';
import type { Exchange } from '../http/route.js';
import { verifyOwnAccessToken } from '../tokens/verify.js';

/**
 * `POST /{tenant}/oauth2/v2.0/introspect` — RFC 7662 token introspection for mail servers (Dovecot's
 * `introspection_mode = post`). An emulator extra: Entra has no introspection endpoint. Callers are
 * registered confidential clients authenticating with client_id/client_secret in the body (or Basic), or
 * with a certificate-signed client assertion (private_key_jwt).
 *
 * `?audience=RESOURCE` on the endpoint URL (comma-separated for several) says which resource the caller
 * serves: a token for any other resource is then reported inactive, as RFC 7662 §2.2 allows ("a token … not
 * intended for the protected resource"). Mail servers that cannot check `aud` themselves (Dovecot's
 * introspection modes) use it: `introspection_url = …/introspect?audience=https://outlook.office.com`.
 */
export async function introspect(ctx: EmulatorContext, x: Exchange): Promise<void> {
  if (x.method !== 'POST') throw new EntraError(900561, { method: x.method });
  const tenant = resolveTenant(ctx.directory, x.params.tenant!);
  const body = await readBody(x.req);
  const p = parseParams(isFormContentType(x.req) ? body : '');
  const creds = readClientCredentials(x.req, p);
  if (!creds.clientId) throw new EntraError(900144, { name: 'client_id' });
  const app = requireApp(ctx, creds.clientId, x.params.tenant);
  if (isPublicClient(app)) throw new EntraError(7000218);
  // The same assertion audiences as the token endpoint (an empty list would refuse every private_key_jwt).
  await authenticateClient(ctx, app, creds, assertionAudiences(ctx, tenant, app));
  const token = p.get('token');
  if (!token) throw new EntraError(900144, { name: 'token' });
  const check = await verifyOwnAccessToken(ctx, token);
  const noStore = { 'Cache-Control': 'no-store' };
  if (!check.ok) {
    sendJson(x.res, 200, { active: false }, noStore);
    return;
  }
  const c = check.claims;
  if (!servesAudience(ctx, x.query.get('audience'), c.aud)) {
    sendJson(x.res, 200, { active: false }, noStore);
    return;
  }
  const user = typeof c.oid === 'string' && c.idtyp !== 'app' ? ctx.directory.users.get(c.oid) : undefined;
  const scope = typeof c.scp === 'string' ? c.scp : Array.isArray(c.roles) ? c.roles.join(' ') : '';
  sendJson(
    x.res,
    200,
    {
      active: true,
      ...(user ? { username: user.username, email: user.mail ?? user.username } : {}),
      sub: c.sub,
      scope,
      client_id: c.appid ?? c.azp,
      aud: c.aud,
      iss: c.iss,
      exp: c.exp,
      iat: c.iat,
      token_type: 'Bearer',
    },
    noStore,
  );
}

/** The token's `aud` names one of the resources the caller serves (any alias of it), or no list was given. */
function servesAudience(ctx: EmulatorContext, wanted: string | undefined, aud: unknown): boolean {
  if (wanted === undefined) return true;
  const audiences = (Array.isArray(aud) ? aud : [aud]).filter((a): a is string => typeof a === 'string');
  const resourceOf = (id: string) => findResource(ctx.directory, id)?.appId ?? id.toLowerCase();
  const served = new Set(wanted.split(',').map((w) => resourceOf(w.trim())));
  return audiences.some((a) => served.has(resourceOf(a)));
}
