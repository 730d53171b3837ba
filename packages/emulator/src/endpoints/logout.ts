import { decodeJwt } from 'jose';
import type { EmulatorContext } from '../context.js';
import { resolveTenant } from '../directory/tenants.js';
import { matchesRedirectUri } from '../flow/redirect-uri.js';
import { endSession } from '../flow/session.js';
import { isFormContentType, type Params, parseParams, readBody } from '../http/request.js';
import { redirect, sendPage } from '../http/respond.js';
import type { Exchange } from '../http/route.js';
import { signedOutPage } from '../pages/index.js';

function clientOf(p: Params): string | undefined {
  const direct = p.get('client_id');
  if (direct) return direct.toLowerCase();
  const hint = p.get('id_token_hint');
  if (!hint) return undefined;
  try {
    const aud = decodeJwt(hint).aud;
    return typeof aud === 'string' ? aud : undefined;
  } catch {
    return undefined;
  }
}

/**
 * `GET|POST /{tenant}/oauth2/v2.0/logout` — ends the SSO session; redirects to `post_logout_redirect_uri`
 * only when it is registered for the app (named by client_id or id_token_hint), else shows the signed-out page.
 */
export async function logout(ctx: EmulatorContext, x: Exchange): Promise<void> {
  resolveTenant(ctx.directory, x.params.tenant!);
  const p = x.method === 'POST' && isFormContentType(x.req) ? parseParams(await readBody(x.req)) : x.query;
  endSession(ctx, x);
  const target = p.get('post_logout_redirect_uri');
  const clientId = clientOf(p);
  const app = clientId ? ctx.directory.apps.get(clientId) : undefined;
  if (target && app && matchesRedirectUri([...app.postLogoutRedirectUris, ...app.redirectUris], target)) {
    const url = new URL(target);
    const state = p.get('state');
    if (state !== undefined) url.searchParams.set('state', state);
    redirect(x.res, url.href);
    return;
  }
  sendPage(x.res, 200, signedOutPage({ ...(app ? { appName: app.name } : {}) }));
}
