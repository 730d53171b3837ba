/**
 * Where sessions and sign-in transactions live: server-side, addressed by an opaque random id (the only thing
 * the browser holds). Values are JSON-serialisable records; every entry has a lifetime. Whatever `get` and
 * `take` return is checked by the web layer before use (S68). A store outside this process should keep only
 * keyed hashes of the ids and sealed values, as `redisSessionStore` does with `sessionSealer` (S67).
 */
export interface SessionStore {
  get(id: string): Promise<Record<string, unknown> | undefined>;
  set(id: string, value: Record<string, unknown>, ttlMs: number): Promise<void>;
  delete(id: string): Promise<void>;
  /** Read and delete in one step (single-use transactions, S55). */
  take(id: string): Promise<Record<string, unknown> | undefined>;
}

/** Sessions in this process's memory (one app instance); expired entries are dropped on access and every minute. */
export function memorySessionStore(): SessionStore {
  const entries = new Map<string, { value: string; expiresAt: number }>();
  const sweep = setInterval(() => {
    const now = Date.now();
    for (const [k, e] of entries) if (e.expiresAt <= now) entries.delete(k);
  }, 60_000);
  sweep.unref();
  const read = (id: string) => {
    const e = entries.get(id);
    if (!e) return undefined;
    if (e.expiresAt <= Date.now()) {
      entries.delete(id);
      return undefined;
    }
    return JSON.parse(e.value) as Record<string, unknown>;
  };
  return {
    async get(id) {
      return read(id);
    },
    async set(id, value, ttlMs) {
      entries.set(id, { value: JSON.stringify(value), expiresAt: Date.now() + ttlMs });
    },
    async delete(id) {
      entries.delete(id);
    },
    async take(id) {
      const value = read(id);
      entries.delete(id);
      return value;
    },
  };
}
