import type { EmulatorContext } from '../context.js';
import type { App } from '../directory/model.js';
import { checkAppEnabled, findApp } from '../directory/require-app.js';
import { type ResolvedTenant, resolveTenant } from '../directory/tenants.js';
import { EntraError } from '../errors/entra-error.js';
import { assertionAudiences } from '../grants/assertion-audiences.js';
import { authorizationCodeGrant } from '../grants/authorization-code.js';
import { authenticateClient, type ClientCredentials, readClientCredentials } from '../grants/client-auth.js';
import type { GrantRequest } from '../grants/grant-request.js';
import { clientCredentialsGrant } from '../grants/client-credentials.js';
import { deviceCodeGrant } from '../grants/device-code.js';
import { onBehalfOfGrant } from '../grants/on-behalf-of.js';
import { passwordGrant } from '../grants/password.js';
import { refreshTokenGrant } from '../grants/refresh-token.js';
import { checkAvailability } from '../directory/scenarios.js';
import { checkBrowserRedemption } from '../grants/spa-redemption.js';
import { isFormContentType, type Params, parseParams, readBody } from '../http/request.js';
import { sendJson } from '../http/respond.js';
import type { Exchange } from '../http/route.js';
import { type ClaimsRequest, readClaimsRequest } from '../tokens/claims-request.js';
import type { ClientAuthLevel, TokenResponse } from '../tokens/issue.js';

const NO_STORE = { 'Cache-Control': 'no-store, no-cache', Pragma: 'no-cache' };

/**
 * How one token endpoint's protocol maps onto the grants, which read the v2 form: `read` turns the request into
 * the grant's parameters and says how to write the grant's answer. The v2 endpoint is the identity; the v1
 * endpoint (v1-token.ts) translates `resource` and writes the v1 answer.
 */
export interface TokenDialect {
  read(
    ctx: EmulatorContext,
    p: Params,
    app: App,
    tenant: ResolvedTenant,
  ): {
    params: Params;
    /** Scopes a code redemption names for a code whose authorization request named no resource. */
    codeScope?: string;
    answer(body: TokenResponse): TokenResponse;
  };
}

const V2: TokenDialect = { read: (_ctx, p) => ({ params: p, answer: (body) => body }) };

/** `POST /{tenant}/oauth2/v2.0/token` — form body only; the grant decides the rest. */
export async function token(ctx: EmulatorContext, x: Exchange): Promise<void> {
  await tokenEndpoint(ctx, x, V2);
}

/** A token endpoint: the request checks every grant shares, the grant, and the answer in `dialect`'s form. */
export async function tokenEndpoint(ctx: EmulatorContext, x: Exchange, dialect: TokenDialect): Promise<void> {
  if (x.method !== 'POST') throw new EntraError(900561, { method: x.method });
  const body = await readBody(x.req);
  // Entra reads parameters from a form body only; anything else (JSON, query string) counts as missing.
  const p = parseParams(isFormContentType(x.req) ? body : '');
  const creds = readClientCredentials(x.req, p);
  const known = !!creds.clientId && ctx.directory.apps.get(creds.clientId.toLowerCase()) !== undefined;
  const grantType = p.get('grant_type');
  ctx.state.stats.countTokenRequest(grantType, creds.clientId?.toLowerCase(), known);
  const tenant = resolveTenant(ctx.directory, x.params.tenant!);
  if (p.duplicates.length)
    throw new EntraError(9002313, { detail: `Parameter '${p.duplicates[0]}' is duplicated.` });
  if (!grantType) throw new EntraError(900144, { name: 'grant_type' });
  if (!creds.clientId) throw new EntraError(900144, { name: 'client_id' });
  const app = findApp(ctx, creds.clientId, tenant.segment);
  const browser = checkBrowserRedemption(ctx, x.req, app, grantType, p, creds);
  let response: Record<string, string | number>;
  try {
    response = await redeem(ctx, app, p, creds, tenant, browser.spaGrant, dialect);
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
  dialect: TokenDialect,
): Promise<Record<string, string | number>> {
  checkAvailability(app.scenarios);
  checkAppEnabled(app);
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
  // S140/S142: the `claims` parameter, read (and refused when malformed) once for every grant.
  const claims = readClaimsRequest(p.get('claims'));
  ctx.state.stats.countClaimsRequest(claims);
  const request = dialect.read(ctx, p, app, tenant);
  return request.answer(await grant(ctx, app, request.params, authLevel, claims, tenant, request.codeScope));
}

function grant(
  ctx: EmulatorContext,
  app: App,
  p: Params,
  authLevel: ClientAuthLevel,
  claims: ClaimsRequest,
  tenant: ResolvedTenant,
  codeScope: string | undefined,
): Promise<TokenResponse> {
  const grantType = p.get('grant_type')!;
  const r: GrantRequest = { ctx, app, p, authLevel, claimsRequest: claims, tenant };
  switch (grantType) {
    case 'authorization_code':
      return authorizationCodeGrant(r, codeScope);
    case 'refresh_token':
      return refreshTokenGrant(r);
    case 'client_credentials':
      return clientCredentialsGrant(r);
    case 'device_code':
    case 'urn:ietf:params:oauth:grant-type:device_code':
      return deviceCodeGrant(r);
    case 'password':
      return passwordGrant(r);
    case 'urn:ietf:params:oauth:grant-type:jwt-bearer':
      return onBehalfOfGrant(r);
    default:
      throw new EntraError(70003, { grantType: grantType.slice(0, 100) });
  }
}
