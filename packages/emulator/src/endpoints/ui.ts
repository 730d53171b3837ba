import type { EmulatorContext } from '../context.js';
import { EntraError } from '../errors/entra-error.js';
import { recordConsent } from '../flow/consent.js';
import { showErrorPage } from '../flow/deliver.js';
import { fail, proceed, showLogin } from '../flow/proceed.js';
import { currentSession } from '../flow/session.js';
import { isFromBoundBrowser } from '../flow/transaction.js';
import { checkUserMaySignIn, findUserByName } from '../flow/user-checks.js';
import { isFormContentType, type Params, parseParams, readBody } from '../http/request.js';
import type { Exchange } from '../http/route.js';
import { safeEqual } from '../http/safe-equal.js';
import type { AuthorizeTransaction } from '../state/records.js';

async function formOf(x: Exchange): Promise<Params> {
  return isFormContentType(x.req) ? parseParams(await readBody(x.req)) : parseParams('');
}

/**
 * The transaction a page post continues, only if this browser holds its cookie: a post naming someone else's
 * transaction (login CSRF, a leaked transaction id) is refused without touching it.
 */
function transactionOf(ctx: EmulatorContext, x: Exchange, p: Params): AuthorizeTransaction | undefined {
  const id = p.get('tx');
  const tx = id ? ctx.state.transactions.get(id) : undefined;
  if (!tx) {
    showErrorPage(
      ctx,
      x,
      new EntraError(9002313, {
        detail: 'The sign-in request expired or is unknown. Start again from the application.',
      }),
    );
    return undefined;
  }
  if (!isFromBoundBrowser(x, tx)) {
    showErrorPage(
      ctx,
      x,
      new EntraError(9002313, {
        detail:
          'The sign-in request was not started in this browser (its cookie is missing or does not match). Start again from the application.',
      }),
    );
    return undefined;
  }
  return tx;
}

/** `POST /_ui/login` — username and password from the login page. */
export async function loginSubmit(ctx: EmulatorContext, x: Exchange): Promise<void> {
  const p = await formOf(x);
  const tx = transactionOf(ctx, x, p);
  if (!tx) return;
  const app = ctx.directory.apps.get(tx.clientId);
  if (!app)
    return fail(ctx, x, tx, new EntraError(700016, { clientId: tx.clientId, tenant: tx.tenantSegment }));
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
  const p = await formOf(x);
  const tx = transactionOf(ctx, x, p);
  if (!tx) return;
  const app = ctx.directory.apps.get(tx.clientId);
  if (!app)
    return fail(ctx, x, tx, new EntraError(700016, { clientId: tx.clientId, tenant: tx.tenantSegment }));
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
  const p = await formOf(x);
  const tx = transactionOf(ctx, x, p);
  if (!tx) return;
  const app = ctx.directory.apps.get(tx.clientId);
  const user = tx.userId ? ctx.directory.users.get(tx.userId) : undefined;
  if (!app || !user) return fail(ctx, x, tx, new EntraError(50058));
  if (p.get('decision') !== 'accept') return fail(ctx, x, tx, new EntraError(65004));
  recordConsent(ctx, app, user, tx.scopes);
  tx.consentShown = true;
  if (tx.prompt === 'consent') delete tx.prompt;
  await proceed(ctx, x, tx);
}
