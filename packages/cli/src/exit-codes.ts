/** The CLI's exit codes, documented in the README; scripts may rely on them. */
export const EXIT = {
  ok: 0,
  /** Something failed: the provider refused, a response was invalid, an unexpected error. */
  failure: 1,
  /** Bad arguments, options or configuration (including app-registration mistakes the provider reports). */
  usage: 2,
  /** Temporary: the provider or network is unavailable; try again later (tokens were kept). */
  temporary: 3,
  /** Sign-in required: no account, or the provider needs interaction (consent, MFA, expired grant). */
  signInRequired: 4,
  /** Interrupted by Ctrl-C / SIGTERM. */
  interrupted: 130,
} as const;

export type ExitCode = (typeof EXIT)[keyof typeof EXIT];
