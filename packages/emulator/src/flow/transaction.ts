import { createHash, randomBytes } from 'node:crypto';
import type { EmulatorContext } from '../context.js';
import { cookie } from '../http/respond.js';
import type { Exchange } from '../http/route.js';
import { safeEqual } from '../http/safe-equal.js';
import type { AuthorizeTransaction } from '../state/records.js';

const TX_LIFETIME_MS = 15 * 60_000;

/** Each transaction's cookie is `tokenloop_tx_<id>`, sent only to the page posts under this path. */
const COOKIE_PREFIX = 'tokenloop_tx_';
const COOKIE_PATH = '/_ui';

export function newTransactionId(): string {
  return randomBytes(24).toString('base64url');
}

function digest(secret: string): string {
  return createHash('sha256').update(secret).digest('base64url');
}

/**
 * Keeps a transaction while its pages are shown. The first time, binds it to this browser: a random secret in
 * a cookie named after the transaction (the transaction keeps only its hash), so that a page post carrying
 * the transaction id is accepted only from the browser the sign-in started in.
 */
export function saveTransaction(ctx: EmulatorContext, x: Exchange, tx: AuthorizeTransaction): void {
  if (!tx.browserBinding) {
    const secret = randomBytes(32).toString('base64url');
    tx.browserBinding = digest(secret);
    x.res.appendHeader(
      'Set-Cookie',
      cookie(`${COOKIE_PREFIX}${tx.id}`, secret, {
        secure: ctx.secure,
        path: COOKIE_PATH,
        sameSite: 'Lax',
        maxAge: TX_LIFETIME_MS / 1000,
      }),
    );
  }
  ctx.state.transactions.set(tx.id, tx, Date.now() + TX_LIFETIME_MS);
}

/** Does this request come from the browser the transaction is bound to (its cookie holds the secret)? */
export function isFromBoundBrowser(x: Exchange, tx: AuthorizeTransaction): boolean {
  const secret = x.cookies.get(`${COOKIE_PREFIX}${tx.id}`);
  return !!secret && !!tx.browserBinding && safeEqual(digest(secret), tx.browserBinding);
}

/** Forgets a finished (or failed) transaction and clears its cookie. */
export function endTransaction(ctx: EmulatorContext, x: Exchange, tx: AuthorizeTransaction): void {
  ctx.state.transactions.delete(tx.id);
  if (tx.browserBinding) {
    x.res.appendHeader(
      'Set-Cookie',
      cookie(`${COOKIE_PREFIX}${tx.id}`, '', { secure: ctx.secure, path: COOKIE_PATH, maxAge: 0 }),
    );
  }
}
