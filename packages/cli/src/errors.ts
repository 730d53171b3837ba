// S167: the library's errors by class, from its light entry (one module): the full command line loads one copy
// of the library, and the fast path's bundle (its own copy) never reports an error, it declines.
import { OAuthError, TokenloopError, isTransient, needsSignIn } from 'tokenloop/errors';
import { EXIT, type ExitCode } from './exit-codes.js';
import { terminalText } from './output/quote.js';

/** Thrown by commands to end the process with a message and a code; only `main` prints it. */
export class CliError extends Error {
  override name = 'CliError';
  constructor(
    message: string,
    readonly exitCode: ExitCode = EXIT.failure,
    readonly hint?: string,
  ) {
    super(message);
  }
}

/**
 * The exit code of an OAuth error by its class, for the classes the library's rules leave (S186: which classes
 * need a sign-in is `needsSignIn`'s alone, which are transient `isTransient`'s).
 */
const BY_CLASS: Partial<Record<OAuthError['errorClass'], ExitCode>> = {
  misconfiguration: EXIT.usage,
};

/** The exit code of another library error by its code. */
const BY_CODE: Partial<Record<TokenloopError['code'], ExitCode>> = {
  INVALID_ARGUMENT: EXIT.usage,
  CONFIGURATION: EXIT.usage,
  CANCELLED: EXIT.interrupted,
  UNSAFE_FILE: EXIT.usage,
};

/**
 * The exit code for a library error (S167: known by its class, classified by the library's own rules): 4 when
 * only a new sign-in helps, 3 when it is transient, else by OAuth error class or by error code.
 */
export function exitCodeOf(err: TokenloopError): ExitCode {
  const any: unknown = err; // needsSignIn narrows what it is given: keep `err` a TokenloopError below
  if (needsSignIn(any)) return EXIT.signInRequired;
  if (isTransient(err)) return EXIT.temporary;
  if (err instanceof OAuthError) return BY_CLASS[err.errorClass] ?? EXIT.failure;
  return BY_CODE[err.code] ?? EXIT.failure;
}

/**
 * The lines of a message our own code wrote as lines (the emulator's LinesError: what is wrong, then one problem
 * per line), else undefined.
 */
function ownLines(err: unknown): [string, ...string[]] | undefined {
  const lines = (err as { lines?: unknown } | null)?.lines;
  return Array.isArray(lines) && lines.length > 0 && lines.every((l) => typeof l === 'string')
    ? (lines as [string, ...string[]])
    : undefined;
}

/** What an error says to a user and its exit code, without printing anything (the mail proxy's replies). */
export function describeError(err: unknown): {
  message: string;
  /** Further lines of the message (one problem each), each printed as a line of its own. */
  details?: string[];
  hint?: string | undefined;
  exitCode: ExitCode;
  /** Not a user error: a bug to report. */
  unexpected?: boolean;
} {
  if (err instanceof CliError) return { message: err.message, hint: err.hint, exitCode: err.exitCode };
  if (err instanceof TokenloopError)
    return { message: err.message, hint: err.remediation, exitCode: exitCodeOf(err) };
  const e = err as { name?: string; code?: string; message?: string };
  if (e?.name === 'EmulatorOptionsError') {
    const [message, ...details] = ownLines(err) ?? [e.message ?? 'invalid options'];
    return { message, details, exitCode: EXIT.usage };
  }
  if (e?.code?.startsWith?.('commander.')) return { message: e.message ?? 'usage', exitCode: EXIT.usage };
  return {
    message: `unexpected error: ${e?.message ?? String(err)}`,
    exitCode: EXIT.failure,
    unexpected: true,
  };
}

/** A fix only the running command can give (it knows its settings): registered by `loadSettings`. */
type ContextualFix = (err: unknown) => Promise<string | undefined>;
let contextualFix: ContextualFix | undefined;

/** Issue 14, finding 6: the running command's settings turn a library remediation into a command that works. */
export function setContextualFix(fix: ContextualFix | undefined): void {
  contextualFix = fix;
}

/**
 * The fix for an error: the running command's own (it knows its settings: TLS trust, https), else the error's,
 * else the one for its exit code (exit 3: what to check when a provider cannot be reached). `doctor` asks too.
 */
export async function fixFor(
  err: unknown,
  described: { hint?: string | undefined; exitCode: ExitCode } = describeError(err),
  where: 'command' | 'doctor' = 'command',
): Promise<string | undefined> {
  const own = (await contextualFix?.(err).catch(() => undefined)) ?? described.hint;
  if (own !== undefined || described.exitCode !== EXIT.temporary) return own;
  return (await import('./client/network-fix.js')).unreachableFix(where);
}

/**
 * The ONE place that turns any error into what the user sees and an exit code. User errors get one clear
 * line and what to do about it (the library's AADSTS remediation); only unexpected errors show a stack, and
 * only with TOKENLOOP_DEBUG set. Library messages never contain tokens or secrets.
 */
export async function reportError(
  err: unknown,
  write: (line: string) => void = (l) => process.stderr.write(`${l}\n`),
): Promise<ExitCode> {
  const e = err as { code?: string; stack?: string };
  if (e?.code?.startsWith?.('commander.')) return EXIT.usage; // commander printed it already
  const described = describeError(err);
  const { message, details, exitCode, unexpected } = described;
  const hint = await fixFor(err, described);
  // S74: messages carry what providers said (error descriptions, names): shown as text, never as controls. A
  // message of several lines, each quoted on its own line: a line break inside a line stays escaped.
  write(`tokenloop: ${terminalText(message)}`);
  for (const line of details ?? []) write(`  ${terminalText(line)}`);
  // Issue 14, findings 4 and 7: one label for what to do about an error, and it works when followed.
  if (hint) write(`  fix: ${terminalText(hint)}`);
  if (unexpected) {
    if (process.env.TOKENLOOP_DEBUG) write(e?.stack ?? '');
    else write('  (set TOKENLOOP_DEBUG=1 for details, and please report it)');
  }
  return exitCode;
}
