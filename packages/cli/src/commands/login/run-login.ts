import type { AccountInfo, TokenClient } from 'tokenloop';
import { loadSettings, makeClient } from '../../client/make-client.js';
import { unreachableFix } from '../../client/network-fix.js';
import { accountArgument } from '../../client/account-choice.js';
import { keepOtherProfilesAccounts } from '../../config/keep-profile-accounts.js';
import { rememberLogin } from '../../config/remember-login.js';
import { accountJson, isoTime } from '../../output/json-shapes.js';
import type { SettingFlags } from '../../config/resolve.js';
import { CliError } from '../../errors.js';
import { EXIT } from '../../exit-codes.js';
import { type NetworkWait, hostOf, providerWait } from '../../output/network-wait.js';
import { interruptSignal, paint, say } from '../../output/terminal.js';
import { jsonLine, terminalText } from '../../output/quote.js';
import { browserAvailable, providerForward, remoteSession, sshHint } from './browser-availability.js';
import { browserLogin } from './browser-login.js';
import { deviceLogin } from './device-login.js';
import { loginCommand } from '../../client/login-command.js';

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
  /** `--use-device-code`: `--device` as `az login` names it. */
  useDeviceCode?: boolean;
  /** What the provider should show: sign-in, the account picker, or consent (browser sign-in). */
  prompt?: 'select_account' | 'login' | 'consent';
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

/**
 * What a login that did not finish says: the --timeout deadline names what it was waiting
 * for — the provider (exit 3) or the person (exit 1) — and a provider that never answered, the tries it got.
 */
function unfinished(
  err: unknown,
  o: {
    deadline: AbortSignal;
    interrupted: boolean;
    seconds: number;
    host: string;
    wait: NetworkWait;
    /** This login again, with its own flags (loginCommand). */
    login: string;
  },
): CliError | undefined {
  const e = err as { code?: string; message?: string };
  if (o.interrupted) return undefined;
  if (o.deadline.aborted || e.code === 'TIMEOUT')
    return o.wait.waiting
      ? new CliError(
          `gave up after ${o.seconds} s (--timeout) waiting for ${o.host} to answer`,
          EXIT.temporary,
          unreachableFix(),
        )
      : new CliError(
          `gave up after ${o.seconds} s (--timeout) waiting for the sign-in to finish`,
          EXIT.failure,
          `sign in again and finish in time, or wait longer: \`${o.login} --timeout 900\``,
        );
  if (o.wait.waiting && (e.code === 'NETWORK' || e.code === 'PROVIDER_UNAVAILABLE'))
    return new CliError(
      `${e.message ?? 'no answer'} — gave up after ${o.wait.tries} ${o.wait.tries === 1 ? 'try' : 'tries'}`,
      EXIT.temporary,
      unreachableFix(),
    );
  return undefined;
}

/**
 * S133: is the account that signed in the one `--login-hint` named (the library's rule for a typed name, S71)?
 * True without a hint, and when the hint names several accounts (nothing to say then).
 */
async function hinted(
  client: TokenClient,
  account: AccountInfo | undefined,
  loginHint: string | undefined,
): Promise<boolean> {
  if (loginHint === undefined || account === undefined) return true;
  try {
    const named = await client.findAccountByTypedName(loginHint, { prefix: true });
    return named.homeAccountId === account.homeAccountId;
  } catch (err) {
    return (err as { code?: string }).code !== 'ACCOUNT_NOT_FOUND';
  }
}

/** `tokenloop login`: browser sign-in with a loopback redirect, or a device code; then the account is cached. */
export async function runLogin(opts: LoginOptions): Promise<void> {
  const { settings, paths } = await loadSettings(opts, process.env, { newProfile: true });
  const host = hostOf(settings.authority ?? settings.issuer!);
  const wait = await providerWait(settings);
  const client = await makeClient(settings, paths, { onRetry: wait.onRetry });
  const seconds = opts.timeout ?? 300;
  // Issue 14, finding 5: --timeout bounds the whole login, the provider's answers included, to the moment.
  const deadline = AbortSignal.timeout(seconds * 1000);
  const interrupt = interruptSignal();
  const signal = AbortSignal.any([interrupt.signal, deadline]);
  const timeoutMs = seconds * 1000;
  const loginHint = opts.loginHint ?? opts.username;
  try {
    const scopes = await partitionScopes(settings.scopes, client.authority.kind === 'entra');
    const device = opts.device === true || opts.useDeviceCode === true;
    // Without a display the browser sign-in still runs (nothing is opened): its URL is printed and its loopback
    // listener waits, as with --browser, and a device code is offered beside it; the first to finish wins.
    const useBrowser = !device;
    const noBrowserHere = useBrowser && opts.browser !== true && !browserAvailable();
    if (noBrowserHere && remoteSession()) {
      // This login again with the flags it was run with: where it signs in, as whom, with what prompt.
      const again = `${loginCommand(settings, { loginHint })}${opts.prompt ? ` --prompt ${opts.prompt}` : ''}`;
      const provider = providerForward(settings.authority ?? settings.issuer);
      say(`  hint: ${terminalText(sshHint(settings.port || FALLBACK_PORT, again, process.env, provider))}`);
    }
    // A device code carries neither a prompt nor a login hint (RFC 8628): say so rather than drop them unsaid.
    if (!useBrowser && opts.prompt)
      say(`(--prompt applies to browser sign-in; the device page decides what it shows)`);
    if (!useBrowser && loginHint)
      say(
        `(--login-hint applies to browser sign-in: on the device page, sign in as ${terminalText(loginHint)} yourself)`,
      );
    const signedInBefore = await client.getAccounts();
    wait.start();
    const { result, method } = await (
      useBrowser
        ? browserLogin(client, {
            scopes,
            port: settings.port,
            loginHint,
            prompt: opts.prompt,
            signal,
            timeoutMs,
            browserOnly: opts.browser === true,
            noBrowserHere,
            onShown: wait.stop,
          })
        : deviceLogin(client, scopes, signal, timeoutMs, wait.stop).then((r) => ({
            result: r,
            method: 'deviceCode' as const,
          }))
    ).catch((err: unknown) => {
      const login = loginCommand(settings);
      throw (
        unfinished(err, { deadline, interrupted: interrupt.signal.aborted, seconds, host, wait, login }) ??
        err
      );
    });
    wait.stop();
    const who = terminalText(result.account?.username ?? result.account?.homeAccountId ?? 'the account');
    const signedInAfter = await client.getAccounts();
    const accountCount = signedInAfter.length;
    const asked = await hinted(client, result.account, loginHint);
    const remembered = await rememberLogin(paths.config, settings, opts.profile, {
      account: result.account,
      accountCount,
      asked,
    });
    // S197: the profile named is the one the login was saved as (flags may save it to another than the one in use).
    const profile = remembered.profile;
    say(
      `${paint('green', 'Signed in')} as ${who}${profile !== undefined ? ` (profile ${terminalText(profile)})` : ''}.`,
    );
    if (!asked && result.account && accountCount === 1)
      say(`Note: signed in as ${who}, not as ${terminalText(loginHint!)} (--login-hint).`);
    else if (!asked && result.account) {
      // S133: someone else than the --login-hint signed in: said, and not made the default account.
      const name = accountArgument(result.account);
      say(
        `Note: signed in as ${who}, not as ${terminalText(loginHint!)} (--login-hint): ${who} is signed in but not made the default account. To make it the default: \`tokenloop account use ${name}${remembered.profile !== undefined ? ` --profile ${remembered.profile}` : ''}\`.`,
      );
    }
    for (const line of remembered.said) say(line);
    const profiles = await keepOtherProfilesAccounts(
      paths.config,
      settings,
      remembered.profile ?? settings.profileName,
      signedInBefore,
      signedInAfter,
    );
    for (const line of profiles) say(line);
    if (opts.json) {
      process.stdout.write(
        `${jsonLine({ account: result.account ? accountJson(result.account) : null, scopes: result.scopes, expiresAt: isoTime(result.expiresOn), method, profile: remembered.profile ?? null })}\n`,
      );
    }
  } finally {
    wait.stop();
    interrupt.dispose();
    await client.close();
  }
}
