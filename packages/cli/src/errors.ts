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

/**
 * The ONE place that turns any error into what the user sees and an exit code. User errors get one clear
 * line (and a hint); only unexpected errors show a stack, and only with TOKENLOOP_DEBUG set.
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
