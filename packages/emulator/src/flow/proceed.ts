import type { EmulatorContext } from '../context.js';
import type { App, User } from '../directory/model.js';
import { EntraError } from '../errors/entra-error.js';
import { sendPage } from '../http/respond.js';
import type { Exchange } from '../http/route.js';
import {
  accountPickerPage,
  allowFormRedirect,
  consentPage,
  deviceCodeDonePage,
  deviceConfirmPage,
  loginPage,
  type RenderedPage,
} from '../pages/index.js';
import type { AuthorizeTransaction } from '../state/records.js';
import { checkMfa, consentForced } from '../directory/scenarios.js';
import { completeAuthorize } from './complete.js';
import { consentRequired, describePermissions, missingConsent, recordConsent } from '../directory/consent.js';
import { deliverError, showErrorPage } from './deliver.js';
import { currentSession, signInToSession } from './session.js';
import { endTransaction, saveTransaction } from './transaction.js';
import { checkUserMaySignIn } from './user-checks.js';

/** The emulator's own page posts: all under `/_ui`, the path their browser-binding cookies are sent to (S85). */
export const UI_PATHS = {
  login: '/_ui/login',
  consent: '/_ui/consent',
  selectAccount: '/_ui/select-account',
  deviceCode: '/_ui/device-code',
  deviceConfirm: '/_ui/device-confirm',
  signOut: '/_ui/sign-out',
} as const;

/**
 * Moves an authorize (or device) transaction one step on: pick the user (auto-login, SSO session, account
 * picker or login page), check they may sign in, ask for consent if needed, then complete.
 */
export async function proceed(ctx: EmulatorContext, x: Exchange, tx: AuthorizeTransaction): Promise<void> {
  const app = transactionApp(ctx, x, tx);
  if (!app) return;
  try {
    if (!tx.userId) {
      const picked = pickUser(ctx, x, tx);
      if (picked === 'login') return showLogin(ctx, x, tx, app);
      if (picked === 'picker') return showPicker(ctx, x, tx, app);
      tx.userId = picked.userId;
      tx.authTime = picked.authTime;
    }
    const user = ctx.directory.users.get(tx.userId);
    if (!user) throw new EntraError(50058);
    checkUserMaySignIn(ctx, app, user, tx.tenantSegment);
    // S184: the user's or the app's mfaRequired switch, read where every flow reads it.
    if (tx.prompt === 'none') {
      checkMfa(user, app, tx.scopes.resources[0]?.identifier ?? 'the application', { silent: true });
    }
    // S86: a device code is approved only after the user confirmed, on a page naming the app, that they
    // started this sign-in (whatever else was shown: a code entered by someone else's page must not pass).
    if (tx.kind === 'device' && !tx.deviceConfirmed) return showDeviceConfirm(ctx, x, tx, app, user);
    const needsConsent =
      !tx.consentShown &&
      (tx.prompt === 'consent' ||
        consentForced(user, app) ||
        missingConsent(ctx, app, user, tx.scopes).length > 0);
    if (needsConsent) {
      if (ctx.autoLoginUserId) recordConsent(ctx, app, user, tx.scopes);
      else if (tx.prompt === 'none') {
        throw consentRequired(app, 'consent_required');
      } else return showConsent(ctx, x, tx, app, user);
    }
    endTransaction(ctx, x, tx);
    signInToSession(ctx, x, user.id, tx.authTime ?? Math.floor(Date.now() / 1000), {
      renew: !!tx.interactive,
    });
    await completeAuthorize(ctx, x, tx, app, user);
  } catch (err) {
    if (err instanceof EntraError) return fail(ctx, x, tx, err);
    throw err;
  }
}

type Pick = 'login' | 'picker' | { userId: string; authTime: number };

function pickUser(ctx: EmulatorContext, x: Exchange, tx: AuthorizeTransaction): Pick {
  const now = Math.floor(Date.now() / 1000);
  if (ctx.autoLoginUserId) return { userId: ctx.autoLoginUserId, authTime: now };
  const session = currentSession(ctx, x);
  const users = session?.users ?? [];
  const hinted = tx.loginHint
    ? users.find(
        (u) => ctx.directory.users.get(u.userId)?.username.toLowerCase() === tx.loginHint!.toLowerCase(),
      )
    : undefined;
  const fresh = tx.maxAge !== undefined ? users.filter((u) => now - u.authTime <= tx.maxAge!) : users;
  switch (tx.prompt) {
    case 'login':
      return 'login';
    case 'select_account':
      return users.length ? 'picker' : 'login';
    case 'none': {
      // A hinted account must itself be fresh enough for max_age: never fall back to another one.
      const chosen = hinted
        ? fresh.includes(hinted)
          ? hinted
          : undefined
        : fresh.length === 1
          ? fresh[0]
          : undefined;
      if (chosen) return chosen;
      if (tx.maxAge !== undefined && (hinted || (users.length > 0 && fresh.length === 0))) {
        throw new EntraError(50058, {
          detail: `The session's last sign-in is older than max_age (${tx.maxAge} seconds): the user must sign in again interactively.`,
        });
      }
      throw users.length > 1
        ? new EntraError(50058, {}, { error: 'interaction_required' })
        : new EntraError(50058);
    }
    default:
      if (tx.kind === 'device') return users.length ? 'picker' : 'login';
      if (hinted && fresh.includes(hinted)) return hinted;
      if (tx.loginHint) return 'login';
      if (fresh.length === 1) return fresh[0]!;
      return fresh.length ? 'picker' : 'login';
  }
}

function showLogin(
  ctx: EmulatorContext,
  x: Exchange,
  tx: AuthorizeTransaction,
  app: App,
  error?: string,
): void {
  const tenant = ctx.directory.tenants.get(app.tenantId);
  showStep(
    ctx,
    x,
    tx,
    loginPage({
      action: UI_PATHS.login,
      tx: tx.id,
      appName: app.name,
      tenantName: tenant?.name ?? 'your organization',
      ...(tx.loginHint ? { loginHint: tx.loginHint } : {}),
      ...(error ? { error } : {}),
    }),
  );
}

export { showLogin };

function showPicker(ctx: EmulatorContext, x: Exchange, tx: AuthorizeTransaction, app: App): void {
  const session = currentSession(ctx, x);
  const accounts = (session?.users ?? [])
    .map((u) => ctx.directory.users.get(u.userId))
    .filter((u): u is User => !!u)
    .map((u) => ({ username: u.username, displayName: u.displayName }));
  showStep(
    ctx,
    x,
    tx,
    accountPickerPage({ action: UI_PATHS.selectAccount, tx: tx.id, appName: app.name, accounts }),
  );
}

/**
 * The app a sign-in transaction is for; once it has left the directory, the transaction fails with AADSTS700016
 * (answered here) and the caller stops.
 */
export function transactionApp(ctx: EmulatorContext, x: Exchange, tx: AuthorizeTransaction): App | undefined {
  const app = ctx.directory.apps.get(tx.clientId);
  if (!app) fail(ctx, x, tx, new EntraError(700016, { clientId: tx.clientId, tenant: tx.tenantSegment }));
  return app;
}

/** Whom and what a question page (consent, device confirmation) names: the app, its publisher, the account. */
function questionSubject(ctx: EmulatorContext, app: App, user: User) {
  const publisher = ctx.directory.tenants.get(app.tenantId)?.name;
  return { appName: app.name, ...(publisher ? { publisher } : {}), username: user.username };
}

function showConsent(
  ctx: EmulatorContext,
  x: Exchange,
  tx: AuthorizeTransaction,
  app: App,
  user: User,
): void {
  const permissions = describePermissions(ctx, app, tx.scopes);
  const page = { action: UI_PATHS.consent, tx: tx.id, ...questionSubject(ctx, app, user), permissions };
  showStep(ctx, x, tx, consentPage(page));
}

function showDeviceConfirm(
  ctx: EmulatorContext,
  x: Exchange,
  tx: AuthorizeTransaction,
  app: App,
  user: User,
): void {
  const userCode = (tx.deviceCode ? ctx.state.deviceCodes.get(tx.deviceCode) : undefined)?.userCode ?? '';
  const page = { action: UI_PATHS.deviceConfirm, tx: tx.id, ...questionSubject(ctx, app, user), userCode };
  showStep(ctx, x, tx, deviceConfirmPage(page));
}

/**
 * Shows a step of the sign-in: the transaction is kept first (the page's post continues it, from this browser
 * only), and a form that may end in a redirect to the client is allowed to (towardsClient).
 */
function showStep(ctx: EmulatorContext, x: Exchange, tx: AuthorizeTransaction, page: RenderedPage): void {
  saveTransaction(ctx, x, tx);
  sendPage(x.res, 200, towardsClient(tx, page));
}

/** Pages whose form POST may end in a 302 to the client: Chrome checks form-action on that redirect too. */
function towardsClient(tx: AuthorizeTransaction, page: RenderedPage): RenderedPage {
  return tx.kind === 'authorize' && tx.redirectUri ? allowFormRedirect(page, tx.redirectUri) : page;
}

/** Ends a transaction with an error: back to the redirect URI, or on a page for the device flow. */
export function fail(ctx: EmulatorContext, x: Exchange, tx: AuthorizeTransaction, err: EntraError): void {
  endTransaction(ctx, x, tx);
  if (tx.kind === 'device') {
    if (tx.deviceCode && err.code === 65004) {
      const record = ctx.state.deviceCodes.get(tx.deviceCode);
      if (record) record.status = 'declined';
      const app = ctx.directory.apps.get(tx.clientId);
      sendPage(x.res, 200, deviceCodeDonePage({ appName: app?.name ?? tx.clientId, approved: false }));
      return;
    }
    showErrorPage(ctx, x, err);
    return;
  }
  deliverError(x, { redirectUri: tx.redirectUri, responseMode: tx.responseMode }, err, tx.state);
}
