import { type IncomingMessage, type ServerResponse, createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { GrantContext } from '../model/grant-context.js';
import type { LoopbackOptions } from '../model/interactive-options.js';
import { TokenloopError } from '../errors/errors.js';
import { debug } from '../log/debug.js';
import { beginAuthorization, completeAuthorization } from './authorization-code.js';
import { openSystemBrowser } from './open-browser.js';
import type { TokenSet } from '../model/token-set.js';

const DEFAULT_TIMEOUT_MS = 5 * 60_000;

function page(res: ServerResponse, status: number, title: string, text: string): void {
  const escape = (s: string) => s.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
  res.writeHead(status, {
    'content-type': 'text/html; charset=utf-8',
    'cache-control': 'no-store',
    'referrer-policy': 'no-referrer',
    'content-security-policy': "default-src 'none'; style-src 'unsafe-inline'",
    'x-content-type-options': 'nosniff',
  });
  res.end(
    `<!doctype html><html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width"><title>${escape(title)}</title>` +
      `<style>body{font:16px system-ui,sans-serif;margin:4rem auto;max-width:32rem;padding:0 1rem;color:#222}h1{font-size:1.4rem}</style></head>` +
      `<body><h1>${escape(title)}</h1><p>${escape(text)}</p></body></html>`,
  );
}

/**
 * Native sign-in (RFC 8252): a listener on 127.0.0.1 only (S21), an authorization request with PKCE, the
 * system browser (S20). The first request carrying this login's `state` is the one: its code is redeemed and
 * only then is success shown; other requests get an error page and waiting goes on. Ends with the timeout
 * (default 5 minutes) or the signal, and the listener is always closed.
 */
export async function loginInteractive(ctx: GrantContext, o: LoopbackOptions): Promise<TokenSet> {
  if (!Array.isArray(o?.scopes))
    throw new TokenloopError('INVALID_ARGUMENT', 'interactive sign-in needs scopes');
  const port = o.port ?? 0;
  if (!Number.isInteger(port) || port < 0 || port > 65_535)
    throw new TokenloopError('INVALID_ARGUMENT', 'port must be from 0 to 65535');
  const path = o.redirectPath ?? '/';
  if (!path.startsWith('/')) throw new TokenloopError('INVALID_ARGUMENT', 'redirectPath must start with "/"');
  if (o.signal?.aborted) throw new TokenloopError('CANCELLED', 'cancelled');

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
  const close = () => {
    server.close();
    server.closeIdleConnections();
    // Let the result page flush, then drop whatever the browser keeps open.
    setTimeout(() => server.closeAllConnections(), 1000).unref();
  };
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
    const result = new Promise<TokenSet>((resolve, reject) => {
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
        completeAuthorization(ctx, transaction, params, o.signal).then(
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
    const timeoutMs = o.timeoutMs ?? DEFAULT_TIMEOUT_MS;
    let timer: NodeJS.Timeout | undefined;
    let onAbort: (() => void) | undefined;
    const stop = new Promise<never>((_, reject) => {
      timer = setTimeout(
        () =>
          reject(
            new TokenloopError('TIMEOUT', `no sign-in response within ${Math.round(timeoutMs / 1000)} s`, {
              remediation: 'Run the sign-in again and finish it in the browser.',
            }),
          ),
        timeoutMs,
      );
      onAbort = () => reject(new TokenloopError('CANCELLED', 'sign-in cancelled'));
      o.signal?.addEventListener('abort', onAbort, { once: true });
    });
    try {
      o.onUrl?.(url);
      const open = o.openBrowser ?? openSystemBrowser;
      const opened = open(url).catch((err: unknown) => {
        if (!o.onUrl)
          throw err instanceof TokenloopError
            ? err
            : new TokenloopError('CONFIGURATION', 'could not open a browser');
        debug('flow', 'browser did not open; waiting for the user to open the URL');
      });
      return await Promise.race([result, stop, opened.then(() => new Promise<never>(() => {}))]);
    } finally {
      clearTimeout(timer);
      if (onAbort) o.signal?.removeEventListener('abort', onAbort);
    }
  } finally {
    close();
  }
}
