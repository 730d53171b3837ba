import { type AccountRecord, type CacheStore, isUserAccountId, recordKey } from 'tokenloop';

/**
 * S99: the server-side tokens of a web app's users end with each user's last session, also when the sessions
 * simply expire (nobody signs out, so no sign-out removes them). When a session this instance made ends, its
 * account's record is checked at once; and every `intervalMs` the sweep lists the token cache for the rest
 * (sessions made by other instances, or before a restart). Either deletes a user record of this client whose
 * account has no live session left in the session store (its account record, S66). A record written within
 * `graceMs` is spared: a sign-in stores the tokens a moment before its session joins the account record. The
 * decision is taken again under the token cache's lock, so a sign-in that writes the record meanwhile keeps it.
 * App-only and on-behalf-of records are not a user's and are left alone.
 */
export interface TokenSweep {
  /** One sweep now (a running one is joined); resolves with how many records it deleted. */
  sweep(): Promise<number>;
  /** A session of the account ends at `endsAt` (epoch ms): its tokens are checked then. */
  sessionEnds(homeAccountId: string, endsAt: number): void;
  /** Stops the timers. */
  stop(): void;
}

export function tokenSweep(d: {
  cache: CacheStore;
  clientId: string;
  /** The cloud's host (or issuer) the client's records are kept under. */
  environment: string;
  /** Does the account still have a live session? */
  isLive(homeAccountId: string): Promise<boolean>;
  intervalMs: number;
  graceMs: number;
}): TokenSweep {
  const orphaned = async (r: AccountRecord | undefined): Promise<boolean> =>
    r !== undefined &&
    r.clientId === d.clientId &&
    r.account.environment === d.environment &&
    isUserAccountId(r.account.homeAccountId) && // the library's one rule of records with no user
    Date.now() - r.updatedAt >= d.graceMs &&
    !(await d.isLive(r.account.homeAccountId));

  /** Deletes the account's record if it is orphaned, decided under the cache's lock. */
  const deleteIfOrphaned = (homeAccountId: string) =>
    d.cache.transact(recordKey(d.environment, d.clientId, homeAccountId), async (current) =>
      current?.account.homeAccountId === homeAccountId && (await orphaned(current))
        ? { next: null, result: true }
        : { result: false },
    );

  async function sweepOnce(): Promise<number> {
    let deleted = 0;
    for (const record of await d.cache.list()) {
      if ((await orphaned(record)) && (await deleteIfOrphaned(record.account.homeAccountId))) deleted++;
    }
    return deleted;
  }
  const ends = new Set<NodeJS.Timeout>();

  let running: Promise<number> | undefined;
  const sweep = () =>
    (running ??= sweepOnce().finally(() => {
      running = undefined;
    }));
  // A failed sweep (the store unreachable) is tried again at the next tick; requests are not affected.
  const timer = setInterval(() => sweep().catch(() => 0), d.intervalMs);
  timer.unref();
  return {
    sweep,
    sessionEnds(homeAccountId, endsAt) {
      const t = setTimeout(
        () => {
          ends.delete(t);
          deleteIfOrphaned(homeAccountId).catch(() => false);
        },
        Math.max(0, endsAt - Date.now()) + 1_000, // a second after the end: the session is past for sure
      );
      t.unref();
      ends.add(t);
    },
    stop() {
      clearInterval(timer);
      for (const t of ends) clearTimeout(t);
      ends.clear();
    },
  };
}
