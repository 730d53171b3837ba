import { createHash, randomBytes } from 'node:crypto';
import type { EmulatorContext } from '../context.js';
import { cookie } from '../http/respond.js';
import type { Exchange } from '../http/route.js';
import { safeEqual } from '../http/safe-equal.js';

/**
 * Something a page carries an id of (a sign-in transaction, a device-code entry, a sign-out) and that only the
 * browser the page was shown in may continue: the id goes into the page, a secret into that browser's cookie.
 */
export interface BrowserBound {
  id: string;
  /** SHA-256 of the secret in the cookie `tokenloop_tx_<id>`, set when its first page is shown. */
  browserBinding?: string;
}

/** Each binding's cookie is `tokenloop_tx_<id>`, sent only to the page posts under this path. */
const COOKIE_PREFIX = 'tokenloop_tx_';
const COOKIE_PATH = '/_ui';

/** A new random id for a page token (transaction, device-code entry, sign-out). */
export function newPageId(): string {
  return randomBytes(24).toString('base64url');
}

function digest(secret: string): string {
  return createHash('sha256').update(secret).digest('base64url');
}

/**
 * Binds `record` to this browser the first time one of its pages is shown: a random secret in a cookie named
 * after it (the record keeps only its hash). The page posts are then accepted only from this browser (S85):
 * another site cannot read the page's id, and a browser without the cookie cannot use one it learnt.
 */
export function bindToBrowser(
  ctx: EmulatorContext,
  x: Exchange,
  record: BrowserBound,
  lifetimeMs: number,
): void {
  if (record.browserBinding) return;
  const secret = randomBytes(32).toString('base64url');
  record.browserBinding = digest(secret);
  x.res.appendHeader(
    'Set-Cookie',
    cookie(`${COOKIE_PREFIX}${record.id}`, secret, {
      secure: ctx.secure,
      path: COOKIE_PATH,
      sameSite: 'Lax',
      maxAge: Math.floor(lifetimeMs / 1000),
    }),
  );
}

/** Does this request come from the browser `record` is bound to (its cookie holds the secret)? */
export function isFromBoundBrowser(x: Exchange, record: BrowserBound): boolean {
  const secret = x.cookies.get(`${COOKIE_PREFIX}${record.id}`);
  return !!secret && !!record.browserBinding && safeEqual(digest(secret), record.browserBinding);
}

/** Clears the cookie of a finished binding. */
export function unbindBrowser(ctx: EmulatorContext, x: Exchange, record: BrowserBound): void {
  if (!record.browserBinding) return;
  x.res.appendHeader(
    'Set-Cookie',
    cookie(`${COOKIE_PREFIX}${record.id}`, '', { secure: ctx.secure, path: COOKIE_PATH, maxAge: 0 }),
  );
}
