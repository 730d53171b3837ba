// S167: the library's errors by class, from its light entry (one module): the full command line loads one copy
// of the library, and the fast path's bundle (its own copy) never reports an error, it declines.
import { type ErrorCode, OAuthError, TokenloopError, isTransient, needsSignIn } from 'tokenloop/errors';
import { unreachableFix } from './client/network-fix.js';
import { EXIT, type ExitCode } from './exit-codes.js';
import { terminalText } from './output/quote.js';

/**
 * The library's code of a CLI error that ends with an exit code: the one the library's own rules (`needsSignIn`,
 * `isTransient`, the codes below) give that exit code, so that a CLI error and a library error with the same code
 * mean the same.
 */
const CODE_OF_EXIT: Record<ExitCode, ErrorCode> = {
  [EXIT.ok]: 'INVALID_RESPONSE',
  [EXIT.failure]: 'INVALID_RESPONSE',
  [EXIT.usage]: 'CONFIGURATION',
  [EXIT.temporary]: 'NETWORK',
  [EXIT.signInRequired]: 'INTERACTION_REQUIRED',
  [EXIT.tokenPathDeclined]: 'INVALID_RESPONSE',
  [EXIT.interrupted]: 'CANCELLED',
};

/**
 * The CLI's errors, one family rooted in the library's TokenloopError (as the web package's are, S169): thrown by
 * commands to end the process with a message, an exit code and what to do about it (`hint`, also the library's
 * `remediation`); only `main` prints it. Its `code` is the library's for its exit code (CODE_OF_EXIT). The
 * commands' own kinds (DecodeError, PlainTransportRefused, UpstreamFailure) extend it, so that `describeError`
 * knows every error of ours by its class.
 */
export class CliError extends TokenloopError {
  override name = 'CliError';
  /** Further lines of the message (one problem each), each printed as a line of its own (S74). */
  readonly details: readonly string[];
  constructor(
    message: string,
    readonly exitCode: ExitCode = EXIT.failure,
    readonly hint?: string,
    options: { details?: readonly string[]; cause?: unknown } = {},
  ) {
    super(CODE_OF_EXIT[exitCode], message, {
      ...(hint === undefined ? {} : { remediation: hint }),
      ...(options.cause === undefined ? {} : { cause: options.cause }),
    });
    this.details = options.details ?? [];
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
  if (err instanceof CliError)
    return {
      message: err.message,
      ...(err.details.length > 0 ? { details: [...err.details] } : {}),
      hint: err.hint,
      exitCode: err.exitCode,
    };
  if (err instanceof TokenloopError)
    return { message: err.message, hint: err.remediation, exitCode: exitCodeOf(err) };
  const e = err as { code?: string; message?: string };
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
  return unreachableFix(where);
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
