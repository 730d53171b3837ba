import { randomBytes } from 'node:crypto';
import type { RecordNames } from './record-names.js';
import { type StoredAccountSessions, parseAccountSessions } from './session-data.js';
import type { SessionStore } from './session-store.js';

/**
 * Which sessions use an account's server-side tokens (S66), so that one session's sign-out removes the tokens
 * only when no other session of the same user still uses them, and "sign out everywhere" ends them all. Kept in
 * the session store under `names.account(homeAccountId)`, listing each session by its record's name (a hash of
 * its id, never the id).
 *
 * It fails closed (S98): the record carries a random epoch, made with the record, that each session keeps; a
 * session is current only while the record is there with that epoch and lists it. "Sign out everywhere" deletes the listed
 * sessions' records and the account record, so neither deleting a key (someone who can write the store, or
 * eviction) nor putting back an old session value brings an ended session back: a missing record ends every
 * session of the account, and a session signed out alone is no longer listed. Updates are read-modify-write:
 * two sign-ins of the same user at the same instant on two instances may lose an entry or, for a new record, an
 * epoch — which can only end a session early (its user signs in again), never keep one that should have ended.
 */
export interface AccountSessions {
  /** A new session (its record's name) of the account, ending at `expiresAt`; returns the epoch it gets. */
  add(homeAccountId: string, sessionName: string, expiresAt: number): Promise<string>;
  /** The session ended; returns how many other live sessions the account still has. */
  remove(homeAccountId: string, sessionName: string): Promise<number>;
  /** Sign out everywhere: deletes every listed session and the account record, ending them all (S98). */
  endAll(homeAccountId: string): Promise<void>;
  /** S99: does the account still have a live session (its server-side tokens are in use)? */
  isLive(homeAccountId: string): Promise<boolean>;
  /** S98: true only while the account record is there with this epoch and lists the session. */
  isCurrent(homeAccountId: string, epoch: string, sessionName: string): Promise<boolean>;
}

const MAX_SESSIONS = 100;

export function accountSessions(store: SessionStore, names: RecordNames): AccountSessions {
  // S68: the record is checked when read, as every record.
  const read = async (homeAccountId: string): Promise<StoredAccountSessions | undefined> => {
    const stored = parseAccountSessions(await store.get(names.account(homeAccountId)));
    if (!stored) return undefined;
    const now = Date.now();
    return { ...stored, sessions: stored.sessions.filter((s) => s.exp > now) };
  };
  const write = async (homeAccountId: string, record: StoredAccountSessions) => {
    const until = Math.max(0, ...record.sessions.map((s) => s.exp));
    const now = Date.now();
    // No live session left: the record goes, and with it the epoch every ended session would need.
    if (until <= now) return store.delete(names.account(homeAccountId));
    const value = { sessions: record.sessions, epoch: record.epoch };
    await store.set(names.account(homeAccountId), value, until - now);
  };
  return {
    async add(homeAccountId, sessionName, expiresAt) {
      const record = (await read(homeAccountId)) ?? {
        sessions: [],
        epoch: randomBytes(32).toString('base64url'),
      };
      record.sessions = [...record.sessions, { n: sessionName, exp: expiresAt }]
        .sort((a, b) => b.exp - a.exp)
        .slice(0, MAX_SESSIONS);
      await write(homeAccountId, record);
      return record.epoch;
    },
    async remove(homeAccountId, sessionName) {
      const record = await read(homeAccountId);
      if (!record) return 0;
      record.sessions = record.sessions.filter((s) => s.n !== sessionName);
      await write(homeAccountId, record);
      return record.sessions.length;
    },
    async endAll(homeAccountId) {
      const record = await read(homeAccountId);
      // S98: the account record first: from then on no session of the account is current, even one not listed.
      await store.delete(names.account(homeAccountId));
      for (const s of record?.sessions ?? []) await store.delete(names.listedSession(s.n));
    },
    async isLive(homeAccountId) {
      return ((await read(homeAccountId))?.sessions.length ?? 0) > 0;
    },
    async isCurrent(homeAccountId, epoch, sessionName) {
      const record = await read(homeAccountId);
      return record?.epoch === epoch && record.sessions.some((s) => s.n === sessionName);
    },
  };
}
