import { decodeJwt } from 'jose';
import type { EmulatorContext } from '../context.js';
import { resolveTenant } from '../directory/tenants.js';
import { bindToBrowser, newPageId, unbindBrowser } from '../flow/browser-binding.js';
import { boundRecordOf } from '../flow/page-records.js';
import { UI_PATHS } from '../flow/proceed.js';
import { matchesRedirectUri } from '../directory/redirect-uri.js';
import { currentSession, endSession } from '../flow/session.js';
import { isFormContentType, type Params, parseParams, readBody } from '../http/request.js';
import { redirect, sendPage } from '../http/respond.js';
import type { Exchange } from '../http/route.js';
import { allowFormRedirect, signedOutPage, signOutPage } from '../pages/index.js';
import type { SignOutRequest, SsoSession } from '../state/records.js';
import { verifyIdTokenHint } from '../tokens/verify.js';

const SIGN_OUT_LIFETIME_MS = 10 * 60_000;

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

/** The app named by client_id or id_token_hint, and its registered post-logout URI (with `state`), if asked. */
function destinationOf(ctx: EmulatorContext, p: Params): Omit<SignOutRequest, 'id'> {
  const clientId = clientOf(p);
  const app = clientId ? ctx.directory.apps.get(clientId) : undefined;
  const target = p.get('post_logout_redirect_uri');
  if (!app) return {};
  if (!target || !matchesRedirectUri([...app.postLogoutRedirectUris, ...app.redirectUris], target)) {
    return { appName: app.name };
  }
  const url = new URL(target);
  const state = p.get('state');
  if (state !== undefined) url.searchParams.set('state', state);
  return { appName: app.name, returnTo: url.href };
}

/**
 * Whether the app itself asked for this sign-out: an `id_token_hint` the emulator issued, to the app named by
 * client_id (when given), for a user signed in in this browser. Another site cannot have the user's ID token.
 */
async function appAsked(ctx: EmulatorContext, p: Params, session: SsoSession): Promise<boolean> {
  const hint = p.get('id_token_hint');
  const named = hint ? await verifyIdTokenHint(ctx, hint) : undefined;
  if (!named) return false;
  const clientId = p.get('client_id');
  if (clientId && clientId.toLowerCase() !== named.aud.toLowerCase()) return false;
  return session.users.some((u) => u.userId === named.oid);
}

/** Signed out: back to the app's registered post-logout URI, else the signed-out page. */
function signedOut(x: Exchange, to: Omit<SignOutRequest, 'id'>): void {
  if (to.returnTo) return redirect(x.res, to.returnTo);
  sendPage(x.res, 200, signedOutPage({ ...(to.appName ? { appName: to.appName } : {}) }));
}

/**
 * `GET|POST /{tenant}/oauth2/v2.0/logout` — ends the SSO session; redirects to `post_logout_redirect_uri`
 * only when it is registered for the app (named by client_id or id_token_hint), else shows the signed-out page.
 * S85: any site can send a browser here, so without an `id_token_hint` proving the app asked, the user is
 * asked first (a page whose post is bound to this browser); with nobody signed in there is nothing to end.
 */
export async function logout(ctx: EmulatorContext, x: Exchange): Promise<void> {
  resolveTenant(ctx.directory, x.params.tenant!);
  const p = x.method === 'POST' && isFormContentType(x.req) ? parseParams(await readBody(x.req)) : x.query;
  const to = destinationOf(ctx, p);
  const session = currentSession(ctx, x);
  if (!session || (await appAsked(ctx, p, session))) {
    endSession(ctx, x);
    return signedOut(x, to);
  }
  const request: SignOutRequest = { id: newPageId(), ...to };
  bindToBrowser(ctx, x, request, SIGN_OUT_LIFETIME_MS);
  ctx.state.signOuts.set(request.id, request, Date.now() + SIGN_OUT_LIFETIME_MS);
  const usernames = session.users
    .map((u) => ctx.directory.users.get(u.userId)?.username)
    .filter((u): u is string => !!u);
  const page = signOutPage({
    action: UI_PATHS.signOut,
    tx: request.id,
    usernames,
    ...(to.appName ? { appName: to.appName } : {}),
  });
  sendPage(x.res, 200, to.returnTo ? allowFormRedirect(page, to.returnTo) : page);
}

/** `POST /_ui/sign-out` — the user confirmed the sign-out on the emulator's page in this browser (S85). */
export async function signOutSubmit(ctx: EmulatorContext, x: Exchange): Promise<void> {
  const p = isFormContentType(x.req) ? parseParams(await readBody(x.req)) : parseParams('');
  const request = boundRecordOf(
    ctx,
    x,
    p,
    ctx.state.signOuts,
    'The sign-out page expired. Sign out again from the application.',
  );
  if (!request) return;
  ctx.state.signOuts.delete(request.id);
  unbindBrowser(ctx, x, request);
  endSession(ctx, x);
  signedOut(x, request);
}
