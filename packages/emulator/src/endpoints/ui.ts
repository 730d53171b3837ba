import type { EmulatorContext } from '../context.js';
import { EntraError } from '../errors/entra-error.js';
import { recordConsent } from '../directory/consent.js';
import { showErrorPage } from '../flow/deliver.js';
import { fail, proceed, showLogin, transactionApp } from '../flow/proceed.js';
import type { AuthorizeTransaction } from '../state/records.js';
import { currentSession } from '../flow/session.js';
import { transactionOf } from '../flow/page-records.js';
import { checkUserMaySignIn, findUserByName } from '../flow/user-checks.js';
import { isFormContentType, type Params, parseParams, readBody } from '../http/request.js';
import type { Exchange } from '../http/route.js';
import { safeEqual } from '../http/safe-equal.js';

/**
 * A sign-in page's post: its form and the transaction it continues; undefined when there is none to continue
 * (transactionOf has answered the browser).
 */
async function pagePost(
  ctx: EmulatorContext,
  x: Exchange,
): Promise<{ p: Params; tx: AuthorizeTransaction } | undefined> {
  const p = isFormContentType(x.req) ? parseParams(await readBody(x.req)) : parseParams('');
  const tx = transactionOf(ctx, x, p);
  return tx ? { p, tx } : undefined;
}

/** `POST /_ui/login` — username and password from the login page. */
export async function loginSubmit(ctx: EmulatorContext, x: Exchange): Promise<void> {
  const post = await pagePost(ctx, x);
  if (!post) return;
  const { p, tx } = post;
  const app = transactionApp(ctx, x, tx);
  if (!app) return;
  const username = p.get('username') ?? '';
  const user = findUserByName(ctx, username);
  if (!user || !safeEqual(p.get('password') ?? '', user.password)) {
    return showLogin(
      ctx,
      x,
      { ...tx, loginHint: username.slice(0, 256) },
      app,
      'Your account or password is incorrect. (AADSTS50126)',
    );
  }
  try {
    checkUserMaySignIn(ctx, app, user, tx.tenantSegment);
  } catch (err) {
    if (err instanceof EntraError) return showLogin(ctx, x, tx, app, `${err.message} (AADSTS${err.code})`);
    throw err;
  }
  tx.userId = user.id;
  tx.authTime = Math.floor(Date.now() / 1000);
  tx.interactive = true;
  if (tx.prompt === 'login' || tx.prompt === 'select_account') delete tx.prompt;
  await proceed(ctx, x, tx);
}

/** `POST /_ui/select-account` — an account from the SSO session, or "use another account". */
export async function selectAccountSubmit(ctx: EmulatorContext, x: Exchange): Promise<void> {
  const post = await pagePost(ctx, x);
  if (!post) return;
  const { p, tx } = post;
  const app = transactionApp(ctx, x, tx);
  if (!app) return;
  const chosen = p.get('account');
  const session = currentSession(ctx, x);
  const entry = chosen
    ? session?.users.find(
        (u) => ctx.directory.users.get(u.userId)?.username.toLowerCase() === chosen.toLowerCase(),
      )
    : undefined;
  if (!entry) return showLogin(ctx, x, { ...tx, prompt: 'login' }, app);
  if (tx.maxAge !== undefined && Math.floor(Date.now() / 1000) - entry.authTime > tx.maxAge) {
    // Signed in longer ago than max_age allows: the chosen account must enter its password again.
    const username = ctx.directory.users.get(entry.userId)?.username ?? '';
    return showLogin(ctx, x, { ...tx, loginHint: username }, app);
  }
  tx.userId = entry.userId;
  tx.authTime = entry.authTime;
  delete tx.prompt;
  await proceed(ctx, x, tx);
}

/** `POST /_ui/consent` — Accept or Cancel on the consent page. */
export async function consentSubmit(ctx: EmulatorContext, x: Exchange): Promise<void> {
  const post = await pagePost(ctx, x);
  if (!post) return;
  const { p, tx } = post;
  const app = ctx.directory.apps.get(tx.clientId);
  const user = tx.userId ? ctx.directory.users.get(tx.userId) : undefined;
  if (!app || !user) return fail(ctx, x, tx, new EntraError(50058));
  if (p.get('decision') !== 'accept') return fail(ctx, x, tx, new EntraError(65004));
  recordConsent(ctx, app, user, tx.scopes);
  tx.consentShown = true;
  if (tx.prompt === 'consent') delete tx.prompt;
  await proceed(ctx, x, tx);
}

/** `POST /_ui/device-confirm` — Continue or Cancel on "Are you trying to sign in to <app>?" (S86). */
export async function deviceConfirmSubmit(ctx: EmulatorContext, x: Exchange): Promise<void> {
  const post = await pagePost(ctx, x);
  if (!post) return;
  const { p, tx } = post;
  if (tx.kind !== 'device' || !tx.userId) {
    showErrorPage(
      ctx,
      x,
      new EntraError(9002313, { detail: 'This is not a device sign-in waiting for confirmation.' }),
    );
    return;
  }
  if (p.get('decision') !== 'continue') return fail(ctx, x, tx, new EntraError(65004));
  tx.deviceConfirmed = true;
  await proceed(ctx, x, tx);
}
