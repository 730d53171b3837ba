import type { AuthResult, TokenClient } from 'tokenloop';
import { describeError } from '../../errors.js';
import { terminalText } from '../../output/quote.js';
import { paint, say, statusLine } from '../../output/terminal.js';
import { providerForward, providerForwardNote, remoteSession, sshTunnel } from './browser-availability.js';
import { type LoginScopes, deviceLogin } from './device-login.js';

export interface BrowserLoginOptions {
  scopes: LoginScopes;
  port: number | undefined;
  loginHint: string | undefined;
  prompt: 'login' | 'select_account' | 'consent' | undefined;
  signal: AbortSignal;
  timeoutMs: number;
  /** `--browser`: the browser only — when none opens here, keep waiting for the URL to be opened elsewhere. */
  browserOnly: boolean;
  /** No display or browser here (and not `--browser`): none is opened; the URL is printed, a device code beside. */
  noBrowserHere?: boolean;
  /** The provider answered: the URL (or a code) is about to be shown. */
  onShown?: () => void;
}

export type LoginMethod = 'browser' | 'deviceCode';

/**
 * Browser sign-in with a loopback redirect. The listener stays up for the whole wait,
 * whatever happens to the opener: the printed URL works when opened anywhere that reaches 127.0.0.1 here
 * (over SSH, through `ssh -L`). When no browser opens and the browser was not asked for, a device code is
 * offered beside it; whichever sign-in finishes first wins and the other is ended.
 */
export async function browserLogin(
  client: TokenClient,
  o: BrowserLoginOptions,
): Promise<{ result: AuthResult; method: LoginMethod }> {
  const { openSystemBrowser } = await import('tokenloop');
  const line = statusLine();
  const waiting = () => line.update(paint('dim', 'Waiting for the browser… (Ctrl-C to cancel)'));
  const decided = new AbortController();
  const signal = AbortSignal.any([o.signal, decided.signal]);
  const never = new Promise<never>(() => {});
  let offerDeviceCode: () => void = () => {};
  const deviceCode = new Promise<void>((resolve) => (offerDeviceCode = resolve)).then(() =>
    deviceLogin(client, o.scopes, signal, o.timeoutMs).then(
      (result) => ({ result, method: 'deviceCode' as const }),
      (err: unknown) => {
        if (signal.aborted) return never; // the browser won, or the wait ended: that side reports
        say(`A device code is not available either (${terminalText(describeError(err).message)}).`);
        return never;
      },
    ),
  );
  const browser = client
    .loginInteractive({
      scopes: o.scopes.scopes,
      extraScopesToConsent: o.scopes.extra,
      ...(o.port !== undefined ? { port: o.port } : {}),
      ...(o.loginHint ? { loginHint: o.loginHint } : {}),
      ...(o.prompt ? { prompt: o.prompt } : {}),
      signal,
      timeoutMs: o.timeoutMs,
      onUrl(url) {
        o.onShown?.();
        say(
          o.noBrowserHere
            ? `To sign in with a browser, visit:\n  ${url.href}`
            : `Opening your browser to sign in. If it does not open, visit:\n  ${url.href}`,
        );
        if (!o.noBrowserHere) waiting();
      },
      async openBrowser(url) {
        if (o.noBrowserHere) {
          const port = new URL(url.searchParams.get('redirect_uri') ?? 'http://127.0.0.1/').port;
          say(
            `No display or browser found here: open the URL above in a browser that reaches 127.0.0.1:${port} on this machine${remoteSession() ? ` (from your own machine: ${terminalText(`${sshTunnel(Number(port), process.env, providerForward(url.href))}${providerForwardNote(providerForward(url.href))}`)}, then open it there)` : ''}, or sign in with the device code below.`,
          );
          offerDeviceCode();
          return;
        }
        try {
          await openSystemBrowser(url);
        } catch {
          line.done();
          const port = new URL(url.searchParams.get('redirect_uri') ?? 'http://127.0.0.1/').port;
          if (o.browserOnly) {
            say(
              `The browser could not be opened here: open the URL above in a browser that reaches 127.0.0.1:${port} on this machine${remoteSession() ? ` (from your own machine: ${terminalText(`${sshTunnel(Number(port), process.env, providerForward(url.href))}${providerForwardNote(providerForward(url.href))}`)}, then open it there)` : ''}. Still waiting for it.`,
            );
            waiting();
          } else {
            say(
              'The browser could not be opened: open the URL above yourself, or sign in with a device code.',
            );
            offerDeviceCode();
          }
        }
      },
    })
    .then((result) => ({ result, method: 'browser' as const }));
  try {
    return await Promise.race([browser, deviceCode]);
  } finally {
    decided.abort(); // the other sign-in ends: its listener closes, its polling stops
    line.done();
    await Promise.allSettled([browser]);
  }
}
