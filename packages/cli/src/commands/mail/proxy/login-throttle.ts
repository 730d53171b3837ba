/**
 * S77: how fast local passwords can be tried, for the whole proxy process (every listener, every connection).
 * Each login attempt takes a slot per user and one on the proxy as a whole; after `free` failed (or still
 * unfinished) attempts, each further slot comes later than the one before, doubling from `firstDelayMs` up to
 * `maxDelayMs`. An attempt waits for its slot; one whose slot is more than MAX_WAIT_MS ahead is refused at once
 * (the mail program is told to try again later) and costs nothing. Nothing is ever locked: once the guessing
 * stops, every slot is at most MAX_WAIT_MS + maxDelayMs away, so the right password works again within
 * RECOVERY_MS. A successful login clears its user's failures; failures are forgotten FORGET_MS after the last.
 */
export interface ThrottleRule {
  /** Attempts (failed or unfinished) before slots start to spread out. */
  free: number;
  firstDelayMs: number;
  maxDelayMs: number;
}

export const PER_USER: ThrottleRule = { free: 5, firstDelayMs: 1000, maxDelayMs: 15_000 };
export const WHOLE_PROXY: ThrottleRule = { free: 20, firstDelayMs: 250, maxDelayMs: 4000 };
/** Attempts are not queued further ahead than this. */
export const MAX_WAIT_MS = 15_000;
/** After the last wrong password, the right one works again within this (waiting or told to retry). */
export const RECOVERY_MS = MAX_WAIT_MS + Math.max(PER_USER.maxDelayMs, WHOLE_PROXY.maxDelayMs);
const FORGET_MS = 15 * 60_000;
/** At most one log line per user (or for the proxy) per this long about refused attempts. */
const REFUSAL_LOG_MS = 10_000;

interface Slots {
  failures: number;
  unfinished: number;
  next: number;
  lastFailure: number;
  refusedSinceLog: number;
  lastRefusalLog: number;
}

export type Admission =
  | {
      admitted: true;
      /** How long the attempt must wait for its slot. */
      waitMs: number;
      /** Failed logins that slowed this attempt down (0 when it was not). */
      failures: number;
      /** Report how the attempt ended: true = right password, false = wrong, undefined = not tried. */
      done(ok: boolean | undefined): void;
    }
  | {
      admitted: false;
      /** When a new attempt may be admitted. */
      retryAfterMs: number;
      /** Whose failures: this user's or the whole proxy's. */
      scope: 'user' | 'proxy';
      /** Attempts refused since the last log line, when one is due now (else undefined). */
      logRefused?: number | undefined;
    };

export interface LoginThrottle {
  admit(user: string): Admission;
}

const slotsNow = (): Slots => ({
  failures: 0,
  unfinished: 0,
  next: 0,
  lastFailure: 0,
  refusedSinceLog: 0,
  lastRefusalLog: -Infinity,
});

const spacing = (rule: ThrottleRule, s: Slots): number => {
  const over = s.failures + s.unfinished - rule.free;
  return over < 0 ? 0 : Math.min(rule.maxDelayMs, rule.firstDelayMs * 2 ** over);
};

/** One per proxy process. `now` is the clock (milliseconds). */
export function loginThrottle(now: () => number = Date.now): LoginThrottle {
  const users = new Map<string, Slots>();
  const proxy = slotsNow();
  const forget = (s: Slots, t: number) => {
    if (s.failures > 0 && t - s.lastFailure > FORGET_MS) s.failures = 0;
  };
  const prune = (t: number) => {
    if (users.size < 1000) return;
    for (const [user, s] of users) {
      forget(s, t);
      if (s.failures === 0 && s.unfinished === 0 && s.next <= t) users.delete(user);
    }
  };
  return {
    admit(name) {
      const t = now();
      const user = name.toLowerCase();
      prune(t);
      const mine = users.get(user) ?? slotsNow();
      forget(mine, t);
      forget(proxy, t);
      const start = Math.max(t, mine.next, proxy.next);
      if (start - t > MAX_WAIT_MS) {
        const scope = mine.next >= proxy.next ? 'user' : 'proxy';
        const s = scope === 'user' ? mine : proxy;
        s.refusedSinceLog++;
        let logRefused: number | undefined;
        if (t - s.lastRefusalLog >= REFUSAL_LOG_MS) {
          logRefused = s.refusedSinceLog;
          s.refusedSinceLog = 0;
          s.lastRefusalLog = t;
        }
        return { admitted: false, retryAfterMs: start - MAX_WAIT_MS - t, scope, logRefused };
      }
      const failures = start > t ? Math.max(mine.failures, proxy.failures) : 0;
      mine.next = Math.max(mine.next, t) + spacing(PER_USER, mine);
      proxy.next = Math.max(proxy.next, t) + spacing(WHOLE_PROXY, proxy);
      mine.unfinished++;
      proxy.unfinished++;
      users.set(user, mine);
      let finished = false;
      return {
        admitted: true,
        waitMs: start - t,
        failures,
        done(ok) {
          if (finished) return;
          finished = true;
          mine.unfinished--;
          proxy.unfinished--;
          if (ok === true) mine.failures = 0;
          if (ok === false) {
            const at = now();
            for (const s of [mine, proxy]) {
              s.failures++;
              s.lastFailure = at;
            }
          }
        },
      };
    },
  };
}
