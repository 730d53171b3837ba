import { needsSignIn } from 'tokenloop/errors';
import { flagsLeaveProfile } from '../config/remember-login.js';
import type { Settings } from '../config/resolve.js';
import { CliError } from '../errors.js';
import { EXIT } from '../exit-codes.js';
import { commandArgument } from '../output/quote.js';

/** What the sign-in must give for the command that failed to work afterwards. */
export interface SignInNeeds {
  /** The scopes the failed request asked for (added as --scope when `login` would not ask for them). */
  scopes?: readonly string[] | undefined;
  /** The account the failed request was for (a username: --login-hint). */
  loginHint?: string | undefined;
  /** A certificate authority to trust (--ca-file; a login saves it in the profile). */
  caFile?: string | undefined;
}

function sameScopes(a: readonly string[], b: readonly string[]): boolean {
  const norm = (l: readonly string[]) => [...new Set(l.map((s) => s.toLowerCase()))].sort().join(' ');
  return norm(a) === norm(b);
}

/**
 * Issue 14, finding 4: the ONE builder of the `tokenloop login …` a `fix:` line names. It signs in where the
 * failed command looked (its profile, and the provider and app its flags named), for the scopes it asked
 * (consent for a new scope is given by a login that asks for it), as the account it was about — so that
 * following it makes the failed command work.
 */
export function loginCommand(settings: Settings, needs: SignInNeeds = {}): string {
  const words = ['tokenloop', 'login', ...whereFlags(settings, needs.caFile)];
  const add = (flag: string, value: string) => words.push(flag, commandArgument(value));
  const scopes = needs.scopes ?? settings.scopes;
  if (settings.sources.scopes === 'flag' || !sameScopes(scopes, settings.scopes))
    for (const scope of scopes) add('--scope', scope);
  if (needs.loginHint) add('--login-hint', needs.loginHint);
  return words.join(' ');
}

/**
 * The options that make a command look where this one did: its profile, the provider and app its flags named, a
 * one-off --tenant, a CA file it was given. S132: the profile is named only when the flags leave it as it is — a
 * fix never saves a one-off tenant, provider or app over a working profile (a login with other flags is saved
 * as a profile of its own).
 */
export function whereFlags(settings: Settings, caFile?: string): string[] {
  const words: string[] = [];
  const add = (flag: string, value: string) => words.push(flag, commandArgument(value));
  if (settings.profileName !== undefined && !flagsLeaveProfile(settings))
    add('--profile', settings.profileName);
  if (settings.sources.authority === 'flag' && settings.baseAuthority)
    add('--authority', settings.baseAuthority);
  if (settings.sources.issuer === 'flag' && settings.issuer) add('--issuer', settings.issuer);
  if (settings.sources.clientId === 'flag') add('--client-id', settings.clientId);
  if (settings.tenant !== undefined) add('--tenant', settings.tenant);
  const ca = caFile ?? (settings.sources.caFile === 'flag' ? settings.caFile : undefined);
  if (ca) add('--ca-file', ca);
  return words;
}

/**
 * S196: the `tokenloop doctor` that tests where a command looked — its flags (whereFlags), and its profile only
 * when that profile is saved (a `login --profile NEW` that failed did not create it).
 */
export function doctorCommand(settings: Settings): string {
  const saved = settings.profile !== undefined ? settings : { ...settings, profileName: undefined };
  return ['tokenloop', 'doctor', ...whereFlags(saved)].join(' ');
}

/**
 * Issue 14 (independent eyes), finding 7: who a sign-in fix signs in as — the account the command was for, else
 * the name typed for it (`--account carol`, `account use carol`), unless that was an account id.
 */
export function loginHintFor(
  account: { username?: string | undefined } | undefined,
  typed?: string,
): string | undefined {
  if (account?.username) return account.username;
  return typed !== undefined && !/^[\da-f-]{36}\.[\da-f-]{36}$/i.test(typed) && typed.trim() !== ''
    ? typed
    : undefined;
}

/** Sign-in required (exit 4): the library's reason and remediation, then the login that resolves it. */
export function signInRequired(
  err: unknown,
  settings: Settings,
  needs: SignInNeeds = {},
): CliError | undefined {
  // S186: the library's one "needs sign-in" rule, not a copy of it.
  if (!needsSignIn(err)) return undefined;
  return new CliError(
    `sign-in required: ${err.message}`,
    EXIT.signInRequired,
    `${err.remediation ? `${err.remediation} ` : ''}Run \`${loginCommand(settings, needs)}\`.`,
  );
}
