/** The CLI's exit codes, documented in the README; scripts may rely on them. */
export const EXIT = {
  ok: 0,
  /** Something failed that is not the user's input: a server down, an unexpected error. */
  failure: 1,
  /** Bad arguments, options or configuration. */
  usage: 2,
  /** Interrupted by Ctrl-C / SIGTERM. */
  interrupted: 130,
} as const;

export type ExitCode = (typeof EXIT)[keyof typeof EXIT];
