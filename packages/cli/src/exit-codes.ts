/** The CLI's exit codes, documented in docs/cli.md ("Exit codes"); scripts may rely on them (S187). */
export const EXIT = {
  ok: 0,
  /** Something failed: the provider refused, a response was invalid, an unexpected error. */
  failure: 1,
  /** Bad arguments, options or configuration (including app-registration mistakes the provider reports). */
  usage: 2,
  /** Temporary: the provider or network is unavailable; try again later (tokens were kept). */
  temporary: 3,
  /** Sign-in required: no account, or the provider needs a sign-in (the library's `needsSignIn`, S186). */
  signInRequired: 4,
  /**
   * TOKENLOOP_TOKEN_PATH=fast|agent only: that path did not answer (it declined, with its reason, or could not
   * be loaded). The bin (CommonJS) writes it as a literal naming this entry.
   */
  tokenPathDeclined: 125,
  /** Interrupted by Ctrl-C / SIGTERM. */
  interrupted: 130,
} as const;

export type ExitCode = (typeof EXIT)[keyof typeof EXIT];

/**
 * How a command that ends with a code of its own (a failed check, a login refused, a server stopped) hands it to
 * `main`, the one place the process's exit code is decided; an error ends a command by its class (errors.ts).
 */
export type CommandEnd = (code: ExitCode) => void;

/** Each code's short label, for the list at the end of `tokenloop --help` (docs/cli.md's table says more). */
export const EXIT_LABELS: Record<keyof typeof EXIT, string> = {
  ok: 'ok',
  failure: 'failure',
  usage: 'usage or configuration',
  temporary: 'temporary (network, provider)',
  signInRequired: 'sign-in required',
  tokenPathDeclined: 'token path declined (TOKENLOOP_TOKEN_PATH=fast|agent)',
  interrupted: 'interrupted',
};

/** `Exit codes: 0 ok, 1 failure, …`, from EXIT and EXIT_LABELS. */
export const exitCodesHelp = (): string =>
  `Exit codes: ${(Object.keys(EXIT) as (keyof typeof EXIT)[]).map((name) => `${EXIT[name]} ${EXIT_LABELS[name]}`).join(', ')}.`;
