import type { EmulatorContext } from '../context.js';
import { sendJson } from '../http/respond.js';
import type { Exchange } from '../http/route.js';
import { pairwiseSub } from '../tokens/claims.js';
import { graphError, graphHeaders, graphToken } from './graph-auth.js';
import { graphUserObject } from './graph-user-object.js';

async function graphUser(ctx: EmulatorContext, x: Exchange) {
  const claims = await graphToken(ctx, x);
  if (!claims) return undefined;
  if (claims.idtyp === 'app' || typeof claims.scp !== 'string') {
    graphError(x, 400, 'BadRequest', '/me request is only valid with delegated authentication flow.');
    return undefined;
  }
  const user = ctx.directory.users.get(String(claims.oid));
  if (!user) {
    graphError(x, 404, 'Request_ResourceNotFound', 'The user does not exist.');
    return undefined;
  }
  return { user, claims };
}

/** `GET /v1.0/me` — the signed-in user's profile, Graph-shaped; needs a delegated Graph token. */
export async function me(ctx: EmulatorContext, x: Exchange): Promise<void> {
  const found = await graphUser(ctx, x);
  if (!found) return;
  const { user } = found;
  sendJson(
    x.res,
    200,
    { '@odata.context': `${ctx.url}/v1.0/$metadata#users/$entity`, ...graphUserObject(user, 'full') },
    graphHeaders(x),
  );
}

/**
 * `GET /v1.0/me/photo`, `/v1.0/me/photo/$value` and `/v1.0/me/photos/{size}/$value` — the signed-in user's photo.
 * The directory holds no photos, so Graph's answer for a user without one: 404 `ImageNotFound`, after the same
 * token checks as `/me` (S145: no Graph path answers without a valid token).
 */
export async function mePhoto(ctx: EmulatorContext, x: Exchange): Promise<void> {
  const found = await graphUser(ctx, x);
  if (!found) return;
  graphError(
    x,
    404,
    'ImageNotFound',
    "Exception of type 'Microsoft.Fast.Profile.Core.Exception.ImageNotFoundException' was thrown.",
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
