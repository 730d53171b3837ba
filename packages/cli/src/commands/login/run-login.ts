import { loadSettings, makeClient } from '../../client/make-client.js';
import { rememberLogin } from '../../config/remember-login.js';
import type { SettingFlags } from '../../config/resolve.js';
import { interruptSignal, paint, say } from '../../output/terminal.js';
import { jsonLine, terminalText } from '../../output/quote.js';
import { browserAvailable, remoteSession, sshHint } from './browser-availability.js';
import { browserLogin } from './browser-login.js';
import { deviceLogin } from './device-login.js';

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
    const useBrowser = !opts.device && (opts.browser === true || browserAvailable());
    if (!opts.device && !useBrowser) {
      say('No display or browser found here: signing in with a device code.');
      if (remoteSession()) say(`  hint: ${sshHint(settings.port ?? FALLBACK_PORT)}`);
    }
    const { result, method } = useBrowser
      ? await browserLogin(client, {
          scopes,
          port: settings.port,
          loginHint,
          prompt: undefined,
          signal: interrupt.signal,
          timeoutMs,
          browserOnly: opts.browser === true,
        })
      : {
          result: await deviceLogin(client, scopes, interrupt.signal, timeoutMs),
          method: 'deviceCode' as const,
        };
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
        `${jsonLine({ account: result.account ?? null, scopes: result.scopes, expires_on: result.expiresOn?.toISOString() ?? null, method: method === 'browser' ? 'browser' : 'device_code' })}\n`,
      );
    }
  } finally {
    interrupt.dispose();
    await client.close();
  }
}
