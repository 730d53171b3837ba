/**
 * A map whose entries expire, with a hard cap on size (oldest evicted first), so that no amount of
 * traffic grows the emulator's memory without bound.
 */
export class TtlStore<V> {
  private readonly map = new Map<string, { value: V; expiresAt: number }>();

  constructor(private readonly maxEntries: number) {}

  set(key: string, value: V, expiresAt: number): void {
    this.map.delete(key);
    this.map.set(key, { value, expiresAt });
    if (this.map.size > this.maxEntries) {
      const oldest = this.map.keys().next().value;
      if (oldest !== undefined) this.map.delete(oldest);
    }
  }

  get(key: string, now = Date.now()): V | undefined {
    const e = this.map.get(key);
    if (!e) return undefined;
    if (e.expiresAt <= now) {
      this.map.delete(key);
      return undefined;
    }
    return e.value;
  }

  /** The entry even if expired (to tell "expired" from "unknown"), until the sweeper removes it. */
  peek(key: string): { value: V; expiresAt: number } | undefined {
    return this.map.get(key);
  }

  delete(key: string): void {
    this.map.delete(key);
  }

  sweep(now = Date.now(), keepExpiredFor = 0): void {
    for (const [k, e] of this.map) if (e.expiresAt + keepExpiredFor <= now) this.map.delete(k);
  }

  get size(): number {
    return this.map.size;
  }

  *values(now = Date.now()): IterableIterator<V> {
    for (const e of this.map.values()) if (e.expiresAt > now) yield e.value;
  }
}
