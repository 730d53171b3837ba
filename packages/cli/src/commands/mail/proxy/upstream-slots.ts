/**
 * S91: how many connections to the real servers the proxy sets up at once, for every listener together: a
 * login (and an IMAP session's reconnection) holds a slot from connecting until its login is done or failed.
 * Further ones wait their turn, first come first served, for at most `waitMs`; then they are told to try again.
 */
export interface UpstreamSlots {
  /** A slot (call the function to give it back), or undefined when none came free within the wait. */
  take(): Promise<(() => void) | undefined>;
}

/** S91: logins being set up to the real servers at once, per proxy. */
export const MAX_UPSTREAM_SETUPS = 8;
/** S91: how long a login waits for a slot before it is answered as temporarily unavailable. */
export const UPSTREAM_SLOT_WAIT_MS = 30_000;

export function upstreamSlots(max = MAX_UPSTREAM_SETUPS, waitMs = UPSTREAM_SLOT_WAIT_MS): UpstreamSlots {
  let busy = 0;
  const waiting: ((granted: boolean) => void)[] = [];
  const release = () => {
    const next = waiting.shift();
    if (next)
      next(true); // the slot passes on as it is
    else busy--;
  };
  const once = () => {
    let given = false;
    return () => {
      if (given) return;
      given = true;
      release();
    };
  };
  return {
    async take() {
      if (busy < max) {
        busy++;
        return once();
      }
      const granted = await new Promise<boolean>((resolve) => {
        const timer = setTimeout(() => {
          waiting.splice(waiting.indexOf(grant), 1);
          resolve(false);
        }, waitMs);
        const grant = (ok: boolean) => {
          clearTimeout(timer);
          resolve(ok);
        };
        waiting.push(grant);
      });
      return granted ? once() : undefined;
    },
  };
}
