import type { IncomingMessage, Server, ServerResponse } from 'node:http';
import type { GrantContext } from '../model/grant-context.js';
import type { TokenSet } from '../model/token-set.js';
import { TokenloopError } from '../errors/errors.js';
import { debug } from '../log/debug.js';
import type { AuthorizationTransaction } from '../model/interactive-options.js';
import { completeAuthorization } from './authorization-code.js';
import { page } from './loopback-page.js';

/** Where the browser's redirect is expected, and the sign-in it must belong to. */
export interface LoopbackCallback {
  /** The redirect URI as sent (the base for a request's path and query). */
  redirectUri: string;
  /** The redirect path; any other path is answered 404. */
  path: string;
  transaction: AuthorizationTransaction;
  signal?: AbortSignal | undefined;
}

/**
 * The tokens of the first request to `server` that carries this sign-in's `state`: its code is redeemed and only
 * then is success shown. Other requests get an error page and waiting goes on; a failed redemption rejects.
 */
export function awaitCallback(
  server: Server,
  ctx: GrantContext,
  callback: LoopbackCallback,
): Promise<TokenSet> {
  const { redirectUri, path, transaction, signal } = callback;
  return new Promise<TokenSet>((resolve, reject) => {
    let busy = false;
    server.on('request', (req: IncomingMessage, res: ServerResponse) => {
      const target = new URL(req.url ?? '/', redirectUri);
      if (req.method !== 'GET' || target.pathname !== path)
        return page(res, 404, 'Not found', 'This address only receives the sign-in response.');
      const params = target.searchParams;
      if (busy || params.get('state') !== transaction.state) {
        debug('flow', 'loopback: ignored a request that does not belong to this sign-in');
        return page(
          res,
          400,
          'Not this sign-in',
          'This response does not belong to the sign-in in progress. Return to your terminal.',
        );
      }
      busy = true;
      completeAuthorization(ctx, transaction, params, signal).then(
        (tokens) => {
          page(
            res,
            200,
            'Signed in',
            'You are signed in. You can close this tab and return to your terminal.',
          );
          resolve(tokens);
        },
        (err: unknown) => {
          const e = err instanceof TokenloopError ? err : new TokenloopError('CALLBACK', 'sign-in failed');
          page(res, 400, 'Sign-in failed', `${e.message}${e.remediation ? ` — ${e.remediation}` : ''}`);
          reject(e);
        },
      );
    });
  });
}
