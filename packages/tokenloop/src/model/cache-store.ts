import type { AccountRecord } from './account-record.js';

/**
 * The storage behind a token cache. Three implementations ship: memory, encrypted file (one file shared by
 * processes on a machine) and Redis (shared by a fleet). Write your own by implementing this interface.
 *
 * Contract:
 * - `get` is the hot path of silent acquisition: it must be cheap and may serve an in-memory copy as long as
 *   it notices changes made by other processes (file: stat; Redis: read through).
 * - `transact` is an exclusive critical section for one key ACROSS processes (C2, C4): take the lock (with
 *   stale-lock recovery and a bounded wait), re-read the current record, call `fn`, persist what it returns
 *   atomically (C1), release. Only one `fn` per key runs at a time anywhere.
 * - A store never throws away data it cannot parse silently: it quarantines it and warns once (C3).
 */
export interface CacheStore {
  /** Human-readable kind for diagnostics: `memory`, `file`, `redis`. */
  readonly kind: string;
  /** Read one record, or undefined. */
  get(key: string): Promise<AccountRecord | undefined>;
  /** All records (for account listing and export). */
  list(): Promise<AccountRecord[]>;
  /**
   * Run `fn` with exclusive access to `key`. `fn` returns `next: record` to write, `next: null` to delete,
   * or no `next` to leave the record unchanged, plus a `result` handed back to the caller.
   */
  transact<T>(key: string, fn: (current: AccountRecord | undefined) => Promise<StoreUpdate<T>>): Promise<T>;
  /** Release resources (timers, connections). */
  close?(): Promise<void>;
}

export interface StoreUpdate<T> {
  next?: AccountRecord | null;
  result: T;
}

/** Warnings a store reports (corrupt file quarantined, keyring unavailable...). Default: one line to stderr. */
export type StoreWarning = (message: string) => void;
