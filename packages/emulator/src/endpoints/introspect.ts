import type { EmulatorContext } from '../context.js';
import { resolveTenant } from '../directory/tenants.js';
import { EntraError } from '../errors/entra-error.js';
import { authenticateClient, readClientCredentials } from '../grants/client-auth.js';
import { isFormContentType, parseParams, readBody } from '../http/request.js';
import { sendJson } from '../http/respond.js';
import type { Exchange } from '../http/route.js';
import { verifyOwnAccessToken } from '../tokens/verify.js';

/**
 * `POST /{tenant}/oauth2/v2.0/introspect` — RFC 7662 token introspection for mail servers (Dovecot's
 * `introspection_mode = post`). An emulator extra: Entra has no introspection endpoint. Callers are
 * registered confidential clients authenticating with client_id/client_secret in the body (or Basic).
 */
export async function introspect(ctx: EmulatorContext, x: Exchange): Promise<void> {
  if (x.method !== 'POST') throw new EntraError(900561, { method: x.method });
  resolveTenant(ctx.directory, x.params.tenant!);
  const body = await readBody(x.req);
  const p = parseParams(isFormContentType(x.req) ? body : '');
  const creds = readClientCredentials(x.req, p);
  if (!creds.clientId) throw new EntraError(900144, { name: 'client_id' });
  const app = ctx.directory.apps.get(creds.clientId.toLowerCase());
  if (!app) throw new EntraError(700016, { clientId: creds.clientId.slice(0, 100), tenant: x.params.tenant });
  if (app.type === 'public') throw new EntraError(7000218);
  await authenticateClient(ctx, app, creds, []);
  const token = p.get('token');
  if (!token) throw new EntraError(900144, { name: 'token' });
  const check = await verifyOwnAccessToken(ctx, token);
  const noStore = { 'Cache-Control': 'no-store' };
  if (!check.ok) {
    sendJson(x.res, 200, { active: false }, noStore);
    return;
  }
  const c = check.claims;
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
