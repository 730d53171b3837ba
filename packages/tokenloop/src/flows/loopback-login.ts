import { type Server, createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { GrantContext } from '../model/grant-context.js';
import type { LoopbackOptions } from '../model/interactive-options.js';
import { TokenloopError } from '../errors/errors.js';
import { debug } from '../log/debug.js';
import { beginAuthorization } from './authorization-code.js';
import { awaitCallback } from './loopback-callback.js';
import { openSystemBrowser } from './open-browser.js';
import { signInDeadline } from './sign-in-deadline.js';
import type { TokenSet } from '../model/token-set.js';

const DEFAULT_TIMEOUT_MS = 5 * 60_000;

/**
 * Native sign-in (RFC 8252): a listener on 127.0.0.1 only (S21), an authorization request with PKCE, the
 * system browser (S20). The first request carrying this login's `state` is the one: its code is redeemed and
 * only then is success shown; other requests get an error page and waiting goes on. Ends with the timeout
 * (default 5 minutes) or the signal, and the listener is always closed.
 */
export async function loginInteractive(ctx: GrantContext, o: LoopbackOptions): Promise<TokenSet> {
  const { port, path } = checkedOptions(o);
  const server = await listenOnLoopback(port);
  try {
    const actualPort = (server.address() as AddressInfo).port;
    const redirectUri = `http://${o.redirectHost ?? '127.0.0.1'}:${actualPort}${path}`;
    const { url, transaction } = await beginAuthorization(ctx, {
      redirectUri,
      scopes: o.scopes,
      ...(o.extraScopesToConsent ? { extraScopesToConsent: o.extraScopesToConsent } : {}),
      ...(o.prompt ? { prompt: o.prompt } : {}),
      ...(o.loginHint ? { loginHint: o.loginHint } : {}),
    });
    const result = awaitCallback(server, ctx, { redirectUri, path, transaction, signal: o.signal });
    const deadline = signInDeadline(o.timeoutMs ?? DEFAULT_TIMEOUT_MS, o.signal);
    try {
      const opened = showUrl(o, url);
      return await Promise.race([result, deadline.expired, opened.then(() => new Promise<never>(() => {}))]);
    } finally {
      deadline.clear();
    }
  } finally {
    closeListener(server);
  }
}

/** The listening port and redirect path, once the options are checked. */
function checkedOptions(o: LoopbackOptions): { port: number; path: string } {
  if (!Array.isArray(o?.scopes))
    throw new TokenloopError('INVALID_ARGUMENT', 'interactive sign-in needs scopes');
  const port = o.port ?? 0;
  if (!Number.isInteger(port) || port < 0 || port > 65_535)
    throw new TokenloopError('INVALID_ARGUMENT', 'port must be from 0 to 65535');
  const path = o.redirectPath ?? '/';
  if (!path.startsWith('/')) throw new TokenloopError('INVALID_ARGUMENT', 'redirectPath must start with "/"');
  if (o.signal?.aborted) throw new TokenloopError('CANCELLED', 'cancelled');
  return { port, path };
}

/** The redirect listener: a server on 127.0.0.1 only (S21), on `port` (0: any free one). */
async function listenOnLoopback(port: number): Promise<Server> {
  const server = createServer();
  server.keepAliveTimeout = 1000;
  await new Promise<void>((resolve, reject) => {
    server.once('error', (err: NodeJS.ErrnoException) =>
      reject(
        new TokenloopError(
          'CONFIGURATION',
          err.code === 'EADDRINUSE'
            ? `port ${port} on 127.0.0.1 is in use`
            : `cannot listen on 127.0.0.1:${port}`,
          { remediation: 'Choose another port, or 0 for any free one.' },
        ),
      ),
    );
    server.listen(port, '127.0.0.1', () => resolve());
  });
  return server;
}

function closeListener(server: Server): void {
  server.close();
  server.closeIdleConnections();
  // Let the result page flush, then drop whatever the browser keeps open.
  setTimeout(() => server.closeAllConnections(), 1000).unref();
}

/**
 * Hand the sign-in URL to `onUrl` and open the browser. Settles when the browser was opened; rejects when it
 * could not be and nobody was shown the URL (with `onUrl`, waiting goes on: the user opens it).
 */
function showUrl(o: LoopbackOptions, url: URL): Promise<void> {
  o.onUrl?.(url);
  const open = o.openBrowser ?? openSystemBrowser;
  return open(url).catch((err: unknown) => {
    if (!o.onUrl)
      throw err instanceof TokenloopError
        ? err
        : new TokenloopError('CONFIGURATION', 'could not open a browser');
    debug('flow', 'browser did not open; waiting for the user to open the URL');
  });
}
