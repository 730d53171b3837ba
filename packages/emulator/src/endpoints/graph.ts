import { randomUUID } from 'node:crypto';
import type { EmulatorContext } from '../context.js';
import { GRAPH_RESOURCE } from '../directory/resources.js';
import { bearerToken } from '../http/request.js';
import { sendJson } from '../http/respond.js';
import type { Exchange } from '../http/route.js';
import { pairwiseSub } from '../tokens/claims.js';
import { verifyOwnAccessToken } from '../tokens/verify.js';

const GRAPH_AUDIENCES = new Set([
  GRAPH_RESOURCE,
  'https://graph.microsoft.com/',
  '00000003-0000-0000-c000-000000000000',
]);

function graphError(x: Exchange, status: number, code: string, message: string): void {
  const requestId = randomUUID();
  const clientRequestId = x.req.headers['client-request-id'];
  sendJson(
    x.res,
    status,
    {
      error: {
        code,
        message,
        innerError: {
          date: new Date().toISOString().replace(/\.\d+Z$/, ''),
          'request-id': requestId,
          'client-request-id': clientRequestId ?? requestId,
        },
      },
    },
    {
      'request-id': requestId,
      ...(status === 401
        ? {
            'WWW-Authenticate': `Bearer realm="", authorization_uri="https://login.microsoftonline.com/common/oauth2/authorize", client_id="00000003-0000-0000-c000-000000000000"`,
          }
        : {}),
    },
  );
}

async function graphUser(ctx: EmulatorContext, x: Exchange) {
  const token = bearerToken(x.req);
  if (!token) {
    graphError(x, 401, 'InvalidAuthenticationToken', 'Access token is empty.');
    return undefined;
  }
  const check = await verifyOwnAccessToken(ctx, token);
  if (!check.ok) {
    const message =
      check.reason === 'expired'
        ? 'Access token has expired or is not yet valid.'
        : check.reason === 'revoked'
          ? 'Continuous access evaluation resulted in challenge with result: InteractionRequired and code: TokenIssuedBeforeRevocationTimestamp'
          : 'Access token validation failure. Invalid audience or signature.';
    graphError(x, 401, 'InvalidAuthenticationToken', message);
    return undefined;
  }
  if (!GRAPH_AUDIENCES.has(String(check.claims.aud))) {
    graphError(x, 401, 'InvalidAuthenticationToken', 'Access token validation failure. Invalid audience.');
    return undefined;
  }
  if (check.claims.idtyp === 'app' || typeof check.claims.scp !== 'string') {
    graphError(x, 400, 'BadRequest', '/me request is only valid with delegated authentication flow.');
    return undefined;
  }
  const user = ctx.directory.users.get(String(check.claims.oid));
  if (!user) {
    graphError(x, 404, 'Request_ResourceNotFound', 'The user does not exist.');
    return undefined;
  }
  return { user, claims: check.claims };
}

/** `GET /v1.0/me` — the signed-in user's profile, Graph-shaped; needs a delegated Graph token. */
export async function me(ctx: EmulatorContext, x: Exchange): Promise<void> {
  const found = await graphUser(ctx, x);
  if (!found) return;
  const { user } = found;
  const requestId = randomUUID();
  sendJson(
    x.res,
    200,
    {
      '@odata.context': `${ctx.url}/v1.0/$metadata#users/$entity`,
      businessPhones: [],
      displayName: user.displayName,
      givenName: user.givenName,
      jobTitle: user.jobTitle,
      mail: user.mail,
      mobilePhone: null,
      officeLocation: null,
      preferredLanguage: null,
      surname: user.surname,
      userPrincipalName: user.username,
      id: user.id,
    },
    { 'request-id': requestId, 'client-request-id': String(x.req.headers['client-request-id'] ?? requestId) },
  );
}

/** `GET|POST /oidc/userinfo` — OIDC userinfo for a Graph token; `sub` is the same pairwise value as the ID token's. */
export async function userinfo(ctx: EmulatorContext, x: Exchange): Promise<void> {
  const found = await graphUser(ctx, x);
  if (!found) return;
  const { user, claims } = found;
  const clientId = String(claims.appid ?? claims.azp ?? '');
  sendJson(x.res, 200, {
    sub: pairwiseSub(user.id, clientId),
    name: user.displayName,
    family_name: user.surname,
    given_name: user.givenName,
    email: user.mail,
  });
}
