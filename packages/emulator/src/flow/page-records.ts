import type { EmulatorContext } from '../context.js';
import { EntraError } from '../errors/entra-error.js';
import type { Params } from '../http/request.js';
import type { Exchange } from '../http/route.js';
import type { AuthorizeTransaction } from '../state/records.js';
import type { TtlStore } from '../state/ttl-store.js';
import { type BrowserBound, isFromBoundBrowser } from './browser-binding.js';
import { showErrorPage } from './deliver.js';

/**
 * S85: the record a page post names in its `tx` field, only if this browser holds its cookie. Otherwise the
 * post is answered with the error page and nothing is touched: a post naming someone else's page (login CSRF,
 * a device code entered by another site's form, a leaked id) changes nothing.
 */
export function boundRecordOf<R extends BrowserBound>(
  ctx: EmulatorContext,
  x: Exchange,
  p: Params,
  store: TtlStore<R>,
  expired: string,
): R | undefined {
  const id = p.get('tx');
  const record = id ? store.get(id) : undefined;
  if (!record) {
    showErrorPage(ctx, x, new EntraError(9002313, { detail: expired }));
    return undefined;
  }
  if (!isFromBoundBrowser(x, record)) {
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
  return record;
}

/** The sign-in transaction a page post continues (see {@link boundRecordOf}). */
export function transactionOf(
  ctx: EmulatorContext,
  x: Exchange,
  p: Params,
): AuthorizeTransaction | undefined {
  return boundRecordOf(
    ctx,
    x,
    p,
    ctx.state.transactions,
    'The sign-in request expired or is unknown. Start again from the application.',
  );
}
