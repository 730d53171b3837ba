import type { BudgetMeter } from './read-budget.js';
import type { ReadWaiter } from './read-wait.js';

/** What a read of a line connection waits on. */
export interface ReadSource {
  failure(): Error | undefined;
  /** S75: the other end leaves too much output untaken: nothing is handed out meanwhile. */
  backedUp(): boolean;
  /** Lets more input come (reading may have been paused). */
  resume(): void;
  meter: BudgetMeter;
  waiter: ReadWaiter;
}

/**
 * Waits until `ready()` returns a value, the connection fails, or `ms` pass. Nothing is handed out while the
 * other end leaves too much output untaken; more input is read only when what is there does not do.
 */
export async function readWhenReady<T>(s: ReadSource, ready: () => T | undefined, ms: number): Promise<T> {
  const started = Date.now();
  const deadline = started + ms;
  // S90: the time this read may take is also what is left of the budget's waiting time.
  const budgetEnd = s.meter.waitEnd(started);
  try {
    for (;;) {
      if (!s.backedUp() || s.failure()) {
        const v = ready();
        if (v !== undefined) return v;
        if (!s.failure()) s.resume();
      }
      const failure = s.failure();
      if (failure) throw failure;
      const now = Date.now();
      s.meter.checkWait(now, budgetEnd);
      if (now >= deadline) throw new Error(`no answer within ${ms} ms`);
      await s.waiter.wait(Math.min(deadline, budgetEnd) - now);
    }
  } finally {
    s.meter.waited(Date.now() - started);
  }
}
