import type { Settings } from '../../config/resolve.js';
import { CliError } from '../../errors.js';
import { EXIT } from '../../exit-codes.js';
import { commandArgument } from '../../output/quote.js';

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
  const words = ['tokenloop', 'login'];
  const add = (flag: string, value: string) => words.push(flag, commandArgument(value));
  if (settings.profileName !== undefined) add('--profile', settings.profileName);
  if (settings.sources.authority === 'flag' && settings.authority) add('--authority', settings.authority);
  if (settings.sources.issuer === 'flag' && settings.issuer) add('--issuer', settings.issuer);
  if (settings.sources.clientId === 'flag') add('--client-id', settings.clientId);
  const caFile = needs.caFile ?? (settings.sources.caFile === 'flag' ? settings.caFile : undefined);
  if (caFile) add('--ca-file', caFile);
  const scopes = needs.scopes ?? settings.scopes;
  if (settings.sources.scopes === 'flag' || !sameScopes(scopes, settings.scopes))
    for (const scope of scopes) add('--scope', scope);
  if (needs.loginHint) add('--login-hint', needs.loginHint);
  return words.join(' ');
}

/** Sign-in required (exit 4): the library's reason and remediation, then the login that resolves it. */
export function signInRequired(
  err: unknown,
  settings: Settings,
  needs: SignInNeeds = {},
): CliError | undefined {
  const e = err as { code?: string; message?: string; remediation?: string };
  if (e?.code !== 'INTERACTION_REQUIRED' && e?.code !== 'ACCOUNT_NOT_FOUND') return undefined;
  return new CliError(
    `sign-in required: ${e.message}`,
    EXIT.signInRequired,
    `${e.remediation ? `${e.remediation} ` : ''}Run \`${loginCommand(settings, needs)}\`.`,
  );
}
