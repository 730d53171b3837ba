/**
 * S157: revocation times by key (a grant, a user, or a user and a client app): what was issued at or before a key's time
 * is refused. A deny decision must never depend on a store that forgets, so this store never drops a live
 * entry silently: when full, the oldest entry leaves but its time raises a floor that applies to EVERY key for
 * as long as that entry would have lived. An overflow widens the denial (refuses more), never narrows it.
 */
export class RevocationStore {
  private readonly map = new Map<string, { at: number; expiresAt: number }>();
  private floor = { at: Number.NEGATIVE_INFINITY, expiresAt: 0 };

  constructor(private readonly maxEntries: number) {}

  /** Records that `key`'s tokens issued at or before `at` (ms) are revoked, until `expiresAt` (ms). */
  revoke(key: string, at: number, expiresAt: number): void {
    const old = this.map.get(key);
    this.map.delete(key);
    this.map.set(key, {
      at: Math.max(at, old?.at ?? at),
      expiresAt: Math.max(expiresAt, old?.expiresAt ?? expiresAt),
    });
    if (this.map.size <= this.maxEntries) return;
    const [oldestKey, oldest] = this.map.entries().next().value!;
    this.map.delete(oldestKey);
    this.floor = {
      at: Math.max(this.floor.at, oldest.at),
      expiresAt: Math.max(this.floor.expiresAt, oldest.expiresAt),
    };
  }

  /** Whether `key` has its own live entry (not just the floor). */
  has(key: string, now = Date.now()): boolean {
    const e = this.map.get(key);
    return !!e && e.expiresAt > now;
  }

  /** The latest revocation time that applies to `key` (its own or the floor), or undefined. */
  revokedAt(key: string, now = Date.now()): number | undefined {
    const e = this.map.get(key);
    const own = e && e.expiresAt > now ? e.at : undefined;
    const floor = this.floor.expiresAt > now ? this.floor.at : undefined;
    if (own === undefined) return floor;
    return floor === undefined ? own : Math.max(own, floor);
  }

  sweep(now = Date.now()): void {
    for (const [k, e] of this.map) if (e.expiresAt <= now) this.map.delete(k);
    if (this.floor.expiresAt <= now) this.floor = { at: Number.NEGATIVE_INFINITY, expiresAt: 0 };
  }

  get size(): number {
    return this.map.size;
  }
}
