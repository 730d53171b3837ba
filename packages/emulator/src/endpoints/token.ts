import type { EmulatorContext } from '../context.js';
import { resolveTenant } from '../directory/tenants.js';
import { EntraError } from '../errors/entra-error.js';
import { assertionAudiences } from '../grants/assertion-audiences.js';
import { authorizationCodeGrant } from '../grants/authorization-code.js';
import { authenticateClient, readClientCredentials } from '../grants/client-auth.js';
import { clientCredentialsGrant } from '../grants/client-credentials.js';
import { deviceCodeGrant } from '../grants/device-code.js';
import { onBehalfOfGrant } from '../grants/on-behalf-of.js';
import { passwordGrant } from '../grants/password.js';
import { refreshTokenGrant } from '../grants/refresh-token.js';
import { checkAvailability } from '../grants/scenarios.js';
import { isFormContentType, parseParams, readBody } from '../http/request.js';
import { sendJson } from '../http/respond.js';
import type { Exchange } from '../http/route.js';

const NO_STORE = { 'Cache-Control': 'no-store, no-cache', Pragma: 'no-cache' };

/** `POST /{tenant}/oauth2/v2.0/token` — form body only; the grant decides the rest. */
export async function token(ctx: EmulatorContext, x: Exchange): Promise<void> {
  if (x.method !== 'POST') throw new EntraError(900561, { method: x.method });
  const body = await readBody(x.req);
  // Entra reads parameters from a form body only; anything else (JSON, query string) counts as missing.
  const p = parseParams(isFormContentType(x.req) ? body : '');
  const creds = readClientCredentials(x.req, p);
  const app = creds.clientId ? ctx.directory.apps.get(creds.clientId.toLowerCase()) : undefined;
  const grantType = p.get('grant_type');
  ctx.state.stats.countTokenRequest(grantType, creds.clientId?.toLowerCase(), !!app);
  const tenant = resolveTenant(ctx.directory, x.params.tenant!);
  if (p.duplicates.length)
    throw new EntraError(9002313, { detail: `Parameter '${p.duplicates[0]}' is duplicated.` });
  if (!grantType) throw new EntraError(900144, { name: 'grant_type' });
  if (!creds.clientId) throw new EntraError(900144, { name: 'client_id' });
  if (!app) throw new EntraError(700016, { clientId: creds.clientId.slice(0, 100), tenant: tenant.segment });
  checkAvailability(app.scenarios);
  if (app.scenarios.disabled) throw new EntraError(7000112, { clientId: app.clientId, appName: app.name });
  if (
    (tenant.kind === 'common' || tenant.kind === 'organizations') &&
    app.signInAudience === 'AzureADMyOrg'
  ) {
    throw new EntraError(50194, { clientId: app.clientId, appName: app.name });
  }
  const authLevel = await authenticateClient(ctx, app, creds, assertionAudiences(ctx, tenant, app));
  let response: Record<string, string | number>;
  switch (grantType) {
    case 'authorization_code':
      response = await authorizationCodeGrant(ctx, app, p, authLevel);
      break;
    case 'refresh_token':
      response = await refreshTokenGrant(ctx, app, p, authLevel, tenant.segment);
      break;
    case 'client_credentials':
      response = await clientCredentialsGrant(ctx, app, p, authLevel, tenant);
      break;
    case 'device_code':
    case 'urn:ietf:params:oauth:grant-type:device_code':
      response = await deviceCodeGrant(ctx, app, p, authLevel);
      break;
    case 'password':
      response = await passwordGrant(ctx, app, p, authLevel, tenant);
      break;
    case 'urn:ietf:params:oauth:grant-type:jwt-bearer':
      response = await onBehalfOfGrant(ctx, app, p, authLevel, tenant.segment);
      break;
    default:
      throw new EntraError(70003, { grantType: grantType.slice(0, 100) });
  }
  sendJson(x.res, 200, response, NO_STORE);
}
