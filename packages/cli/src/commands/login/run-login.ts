import type { AuthResult, DeviceCodePrompt, TokenClient } from 'tokenloop';
import { loadSettings, makeClient } from '../../client/make-client.js';
import { rememberLogin } from '../../config/remember-login.js';
import type { SettingFlags } from '../../config/resolve.js';
import { interruptSignal, paint, say, statusLine } from '../../output/terminal.js';
import { jsonLine, terminalText } from '../../output/quote.js';
import { browserAvailable, remoteSession, sshHint } from './browser-availability.js';

export interface LoginOptions extends SettingFlags {
  device?: boolean;
  /** `--browser` forces the browser even where none seems available (e.g. over `ssh -L`). */
  browser?: boolean;
  /** Seconds to wait for the user (default 300). */
  timeout?: number;
  json?: boolean;
  /** `--login-hint` / `--username`: the account to sign in as. */
  loginHint?: string;
  username?: string;
}

const FALLBACK_PORT = 8765;

function countdown(prompt: DeviceCodePrompt): { stop(): void } {
  const line = statusLine();
  const tick = () => {
    const left = Math.max(0, Math.round((prompt.expiresAt.getTime() - Date.now()) / 1000));
    line.update(
      paint(
        'dim',
        `Waiting for sign-in… ${Math.floor(left / 60)}:${String(left % 60).padStart(2, '0')} left (Ctrl-C to cancel)`,
      ),
    );
  };
  tick();
  const timer = setInterval(tick, 1000);
  timer.unref();
  return {
    stop() {
      clearInterval(timer);
      line.done();
    },
  };
}

async function withDeviceCode(
  client: TokenClient,
  scopes: { scopes: string[]; extra: string[] },
  signal: AbortSignal,
  timeoutMs: number,
): Promise<AuthResult> {
  let progress: { stop(): void } | undefined;
  try {
    return await client.loginWithDeviceCode({
      scopes: scopes.scopes,
      extraScopesToConsent: scopes.extra,
      signal,
      timeoutMs,
      onPrompt(prompt) {
        say(
          `To sign in, open ${paint('bold', terminalText(prompt.verificationUriComplete ?? prompt.verificationUri))} and enter the code ${paint('bold', terminalText(prompt.userCode))}`,
        );
        progress = countdown(prompt);
      },
    });
  } finally {
    progress?.stop();
  }
}

/** Browser sign-in; resolves undefined when no browser could be opened (the caller falls back). */
async function withBrowser(
  client: TokenClient,
  scopes: { scopes: string[]; extra: string[] },
  port: number | undefined,
  interrupt: AbortSignal,
  timeoutMs: number,
  loginHint: string | undefined,
): Promise<AuthResult | undefined> {
  const { openSystemBrowser } = await import('tokenloop');
  const line = statusLine();
  const noBrowser = new AbortController();
  try {
    return await client.loginInteractive({
      scopes: scopes.scopes,
      extraScopesToConsent: scopes.extra,
      ...(port !== undefined ? { port } : {}),
      ...(loginHint ? { loginHint } : {}),
      signal: AbortSignal.any([interrupt, noBrowser.signal]),
      timeoutMs,
      onUrl(url) {
        say(`Opening your browser to sign in. If it does not open, visit:\n  ${url.href}`);
        line.update(paint('dim', 'Waiting for the browser… (Ctrl-C to cancel)'));
      },
      async openBrowser(url) {
        try {
          await openSystemBrowser(url);
        } catch {
          noBrowser.abort();
        }
      },
    });
  } catch (err) {
    if (noBrowser.signal.aborted && !interrupt.aborted) return undefined;
    throw err;
  } finally {
    line.done();
  }
}

/**
 * Entra issues a token for one resource at a time, but one sign-in can consent to several: the scopes of the
 * first resource are asked for, the others consented to alongside (`extraScopesToConsent`), so that later
 * `tokenloop token --scope …` calls for any of them succeed silently.
 */
async function partitionScopes(
  scopes: string[],
  entra: boolean,
): Promise<{ scopes: string[]; extra: string[] }> {
  if (!entra) return { scopes, extra: [] };
  const { resourceOf } = await import('tokenloop');
  const resources = scopes.map((s) => resourceOf([s], 'entra'));
  const first = resources.find((_, i) => !/^(openid|profile|email|offline_access)$/i.test(scopes[i]!));
  return {
    scopes: scopes.filter(
      (_, i) => resources[i] === first || /^(openid|profile|email|offline_access)$/i.test(scopes[i]!),
    ),
    extra: scopes.filter(
      (_, i) => resources[i] !== first && !/^(openid|profile|email|offline_access)$/i.test(scopes[i]!),
    ),
  };
}

/** `tokenloop login`: browser sign-in with a loopback redirect, or a device code; then the account is cached. */
export async function runLogin(opts: LoginOptions): Promise<void> {
  const { settings, paths } = await loadSettings(opts, process.env, { newProfile: true });
  const client = await makeClient(settings, paths);
  const timeoutMs = (opts.timeout ?? 300) * 1000;
  const interrupt = interruptSignal();
  const loginHint = opts.loginHint ?? opts.username;
  const scopes = await partitionScopes(settings.scopes, client.authority.kind === 'entra');
  try {
    let useBrowser = !opts.device && (opts.browser === true || browserAvailable());
    if (!opts.device && !useBrowser) {
      say('No display or browser found here: signing in with a device code.');
      if (remoteSession()) say(`  hint: ${sshHint(settings.port ?? FALLBACK_PORT)}`);
    }
    let result: AuthResult | undefined;
    if (useBrowser) {
      result = await withBrowser(client, scopes, settings.port, interrupt.signal, timeoutMs, loginHint);
      if (!result) {
        say('The browser could not be opened: signing in with a device code instead.');
        if (remoteSession()) say(`  hint: ${sshHint(settings.port ?? FALLBACK_PORT)}`);
        useBrowser = false;
      }
    }
    result ??= await withDeviceCode(client, scopes, interrupt.signal, timeoutMs);
    const who = terminalText(result.account?.username ?? result.account?.homeAccountId ?? 'the account');
    say(
      `${paint('green', 'Signed in')} as ${who}${settings.profileName ? ` (profile ${settings.profileName})` : ''}.`,
    );
    const accountCount = (await client.getAccounts()).length;
    for (const line of await rememberLogin(paths.config, settings, opts.profile, {
      account: result.account,
      accountCount,
    }))
      say(line);
    if (opts.json) {
      process.stdout.write(
        `${jsonLine({ account: result.account ?? null, scopes: result.scopes, expires_on: result.expiresOn?.toISOString() ?? null, method: useBrowser ? 'browser' : 'device_code' })}\n`,
      );
    }
  } finally {
    interrupt.dispose();
    await client.close();
  }
}
