/**
 * S90: how much a connection may be read line by line in all: lines, bytes, and time spent waiting for them.
 * Past any of them the connection is closed and the read fails with an error saying which bound was passed.
 */
export interface ReadBudget {
  lines: number;
  bytes: number;
  waitMs: number;
}

/**
 * S90: a mail server's side of the conversation before a session is relayed — greeting, capabilities, STARTTLS,
 * SASL, and (IMAP) the capabilities after login or the re-selection of a mailbox on reconnection. Real servers
 * take a few dozen lines of a few hundred bytes; these bounds leave ample room, and hold however a server (or
 * whoever sits on the path before TLS) answers: endless capability lines, an endless multi-line greeting,
 * SASL challenges without end, a line a second.
 */
export const SERVER_READ_BUDGET: ReadBudget = { lines: 1000, bytes: 256 * 1024, waitMs: 60_000 };
/** S90: the longest line a server may send before the session is relayed. */
export const SERVER_MAX_LINE = 64 * 1024;

/** S90: what the reads of one connection have spent of its budget (nothing is counted against no budget). */
export interface BudgetMeter {
  /** Counts a read of `bytes` and `lines`; past a bound, `over` is called. */
  charge(bytes: number, lines: number): void;
  /** When a read started at `started` must end at the latest: what is left of the waiting time. */
  waitEnd(started: number): number;
  /** Calls `over` when the waiting time ran out at `now` (`end` as waitEnd said). */
  checkWait(now: number, end: number): void;
  /** Counts `ms` spent waiting by a read. */
  waited(ms: number): void;
}

/** `over(message)` closes the connection and throws; its message completes "the server …". */
export function budgetMeter(budget: ReadBudget | undefined, over: (message: string) => never): BudgetMeter {
  const spent = { lines: 0, bytes: 0, waitMs: 0 };
  return {
    charge(bytes, lines) {
      if (!budget) return;
      spent.bytes += bytes;
      spent.lines += lines;
      if (spent.lines > budget.lines) over(`sent more than ${budget.lines} lines`);
      if (spent.bytes > budget.bytes) over(`sent more than ${budget.bytes} bytes`);
    },
    waitEnd: (started) => (budget ? started + budget.waitMs - spent.waitMs : Infinity),
    checkWait(now, end) {
      if (budget && now >= end) over(`took more than ${budget.waitMs / 1000} s in all to answer`);
    },
    waited(ms) {
      spent.waitMs += ms;
    },
  };
}
