import type { EmulatorContext } from '../context.js';
import type { Exchange } from '../http/route.js';
import type { AuthorizeTransaction } from '../state/records.js';
import { bindToBrowser, newPageId, unbindBrowser } from './browser-binding.js';

export { isFromBoundBrowser } from './browser-binding.js';

const TX_LIFETIME_MS = 15 * 60_000;

export function newTransactionId(): string {
  return newPageId();
}

/**
 * Keeps a transaction while its pages are shown. The first time, binds it to this browser (S85), so that a
 * page post carrying the transaction id is accepted only from the browser the sign-in started in.
 */
export function saveTransaction(ctx: EmulatorContext, x: Exchange, tx: AuthorizeTransaction): void {
  bindToBrowser(ctx, x, tx, TX_LIFETIME_MS);
  ctx.state.transactions.set(tx.id, tx, Date.now() + TX_LIFETIME_MS);
}

/** Forgets a finished (or failed) transaction and clears its cookie. */
export function endTransaction(ctx: EmulatorContext, x: Exchange, tx: AuthorizeTransaction): void {
  ctx.state.transactions.delete(tx.id);
  unbindBrowser(ctx, x, tx);
}
