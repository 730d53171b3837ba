import type { EmulatorContext } from '../context.js';
import type { App } from '../directory/model.js';
import { type ResolvedTenant, resolveTenant } from '../directory/tenants.js';
import { EntraError } from '../errors/entra-error.js';
import { assertionAudiences } from '../grants/assertion-audiences.js';
import { authorizationCodeGrant } from '../grants/authorization-code.js';
import { authenticateClient, type ClientCredentials, readClientCredentials } from '../grants/client-auth.js';
import { clientCredentialsGrant } from '../grants/client-credentials.js';
import { deviceCodeGrant } from '../grants/device-code.js';
import { onBehalfOfGrant } from '../grants/on-behalf-of.js';
import { passwordGrant } from '../grants/password.js';
import { refreshTokenGrant } from '../grants/refresh-token.js';
import { checkAvailability } from '../grants/scenarios.js';
import { checkBrowserRedemption } from '../grants/spa-redemption.js';
import { isFormContentType, type Params, parseParams, readBody } from '../http/request.js';
import { sendJson } from '../http/respond.js';
import type { Exchange } from '../http/route.js';
import type { ClientAuthLevel } from '../tokens/issue.js';

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
  const browser = checkBrowserRedemption(ctx, x.req, app, grantType, p, creds);
  let response: Record<string, string | number>;
  try {
    response = await redeem(ctx, app, p, creds, tenant, browser.spaGrant);
  } catch (err) {
    // A single-page app reads its errors too (a refresh token past its lifetime, a replayed code…).
    if (err instanceof EntraError) Object.assign(err.headers, browser.headers);
    throw err;
  }
  sendJson(x.res, 200, response, { ...NO_STORE, ...browser.headers });
}

async function redeem(
  ctx: EmulatorContext,
  app: App,
  p: Params,
  creds: ClientCredentials,
  tenant: ResolvedTenant,
  spaGrant: boolean,
): Promise<Record<string, string | number>> {
  const grantType = p.get('grant_type')!;
  checkAvailability(app.scenarios);
  if (app.scenarios.disabled) throw new EntraError(7000112, { clientId: app.clientId, appName: app.name });
  if (
    (tenant.kind === 'common' || tenant.kind === 'organizations') &&
    app.signInAudience === 'AzureADMyOrg'
  ) {
    throw new EntraError(50194, { clientId: app.clientId, appName: app.name });
  }
  // A single-page app's grant is redeemed by a public client, whatever else the app is (no credential passed
  // checkBrowserRedemption).
  const authLevel: ClientAuthLevel = spaGrant
    ? '0'
    : await authenticateClient(ctx, app, creds, assertionAudiences(ctx, tenant, app));
  switch (grantType) {
    case 'authorization_code':
      return authorizationCodeGrant(ctx, app, p, authLevel);
    case 'refresh_token':
      return refreshTokenGrant(ctx, app, p, authLevel, tenant.segment);
    case 'client_credentials':
      return clientCredentialsGrant(ctx, app, p, authLevel, tenant);
    case 'device_code':
    case 'urn:ietf:params:oauth:grant-type:device_code':
      return deviceCodeGrant(ctx, app, p, authLevel);
    case 'password':
      return passwordGrant(ctx, app, p, authLevel, tenant);
    case 'urn:ietf:params:oauth:grant-type:jwt-bearer':
      return onBehalfOfGrant(ctx, app, p, authLevel, tenant.segment);
    default:
      throw new EntraError(70003, { grantType: grantType.slice(0, 100) });
  }
}
