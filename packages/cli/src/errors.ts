import { EXIT, type ExitCode } from './exit-codes.js';

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

/** The library's error shape (duck-typed so that this module never loads the library). */
interface LibraryError {
  name: 'TokenloopError' | 'OAuthError';
  code: string;
  message: string;
  remediation?: string;
  errorClass?: string;
}

function isLibraryError(err: unknown): err is LibraryError {
  const e = err as Partial<LibraryError> | null;
  return (e?.name === 'TokenloopError' || e?.name === 'OAuthError') && typeof e.code === 'string';
}

const BY_CLASS: Record<string, ExitCode> = {
  interaction_required: EXIT.signInRequired,
  consent_required: EXIT.signInRequired,
  mfa_required: EXIT.signInRequired,
  expired_grant: EXIT.signInRequired,
  misconfiguration: EXIT.usage,
  transient: EXIT.temporary,
};

const BY_CODE: Record<string, ExitCode> = {
  INVALID_ARGUMENT: EXIT.usage,
  CONFIGURATION: EXIT.usage,
  NETWORK: EXIT.temporary,
  PROVIDER_UNAVAILABLE: EXIT.temporary,
  INTERACTION_REQUIRED: EXIT.signInRequired,
  ACCOUNT_NOT_FOUND: EXIT.signInRequired,
  CANCELLED: EXIT.interrupted,
};

/** The exit code for a library error: by OAuth error class, else by error code. */
export function exitCodeOf(err: LibraryError): ExitCode {
  if (err.code === 'OAUTH_ERROR') return BY_CLASS[err.errorClass ?? ''] ?? EXIT.failure;
  return BY_CODE[err.code] ?? EXIT.failure;
}

/**
 * The ONE place that turns any error into what the user sees and an exit code. User errors get one clear
 * line and what to do about it (the library's AADSTS remediation); only unexpected errors show a stack, and
 * only with TOKENLOOP_DEBUG set. Library messages never contain tokens or secrets.
 */
export function reportError(
  err: unknown,
  write: (line: string) => void = (l) => process.stderr.write(`${l}\n`),
): ExitCode {
  if (err instanceof CliError) {
    write(`tokenloop: ${err.message}`);
    if (err.hint) write(`  hint: ${err.hint}`);
    return err.exitCode;
  }
  if (isLibraryError(err)) {
    write(`tokenloop: ${err.message}`);
    if (err.remediation) write(`  fix: ${err.remediation}`);
    return exitCodeOf(err);
  }
  const e = err as { name?: string; code?: string; message?: string; stack?: string };
  if (e?.name === 'EmulatorOptionsError') {
    write(`tokenloop: ${e.message}`);
    return EXIT.usage;
  }
  if (e?.code?.startsWith?.('commander.')) return EXIT.usage;
  write(`tokenloop: unexpected error: ${e?.message ?? String(err)}`);
  if (process.env.TOKENLOOP_DEBUG) write(e?.stack ?? '');
  else write('  (set TOKENLOOP_DEBUG=1 for details, and please report it)');
  return EXIT.failure;
}
