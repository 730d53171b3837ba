import { createHash } from 'node:crypto';
import type { RecordNames } from './record-names.js';
import { type StoredAccountSessions, parseAccountSessions } from './session-data.js';
import type { SessionStore } from './session-store.js';

/**
 * Which sessions each account has in this app (S66), so that one session's sign-out removes the server-side
 * tokens only when no other session of the same user still uses them, and "sign out everywhere" ends them
 * all. Kept in the session store under `names.account(homeAccountId)`; a session is named by a hash of its id, never the
 * id. Updates are read-modify-write: two sign-ins of the same user at the same instant on two instances may
 * lose an entry, which can only make a later sign-out remove the tokens early (the other session then signs in
 * again), never keep tokens nobody asked to keep.
 */
export interface AccountSessions {
  /** A new session `id` of the account, ending at `expiresAt`. */
  add(homeAccountId: string, id: string, expiresAt: number): Promise<void>;
  /** The session `id` ended; returns how many other live sessions the account still has. */
  remove(homeAccountId: string, id: string): Promise<number>;
  /** Sign out everywhere: every session of the account signed in before now ends. */
  endAll(homeAccountId: string): Promise<void>;
  /** False when the account signed out everywhere after `signedInAt`. */
  isCurrent(homeAccountId: string, signedInAt: number): Promise<boolean>;
}

const MAX_SESSIONS = 100;
const hashOf = (id: string) => createHash('sha256').update(id, 'utf8').digest('base64url');

export function accountSessions(
  store: SessionStore,
  names: RecordNames,
  sessionTtlMs: number,
): AccountSessions {
  // S68: the record is checked when read, as every record.
  const read = async (homeAccountId: string): Promise<StoredAccountSessions> => {
    const now = Date.now();
    const stored = parseAccountSessions(await store.get(names.account(homeAccountId)));
    return {
      sessions: (stored?.sessions ?? []).filter((s) => s.exp > now),
      signedOutAt: stored?.signedOutAt,
    };
  };
  const write = async (homeAccountId: string, record: StoredAccountSessions) => {
    const now = Date.now();
    const until = Math.max(
      ...record.sessions.map((s) => s.exp),
      record.signedOutAt === undefined ? 0 : record.signedOutAt + sessionTtlMs,
    );
    if (until <= now) return store.delete(names.account(homeAccountId));
    const value: Record<string, unknown> = { sessions: record.sessions };
    if (record.signedOutAt !== undefined) value.signedOutAt = record.signedOutAt;
    await store.set(names.account(homeAccountId), value, until - now);
  };
  return {
    async add(homeAccountId, id, expiresAt) {
      const record = await read(homeAccountId);
      record.sessions = [...record.sessions, { h: hashOf(id), exp: expiresAt }]
        .sort((a, b) => b.exp - a.exp)
        .slice(0, MAX_SESSIONS);
      await write(homeAccountId, record);
    },
    async remove(homeAccountId, id) {
      const record = await read(homeAccountId);
      const h = hashOf(id);
      record.sessions = record.sessions.filter((s) => s.h !== h);
      await write(homeAccountId, record);
      return record.sessions.length;
    },
    async endAll(homeAccountId) {
      await write(homeAccountId, { sessions: [], signedOutAt: Date.now() });
    },
    async isCurrent(homeAccountId, signedInAt) {
      const { signedOutAt } = await read(homeAccountId);
      return signedOutAt === undefined || signedInAt > signedOutAt;
    },
  };
}
