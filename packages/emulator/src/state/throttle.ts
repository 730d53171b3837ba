import { TtlStore } from './ttl-store.js';

/** At most `burst` failures at once, then one more every `1 / perSecond` seconds. */
export interface ThrottleLimit {
  burst: number;
  perSecond: number;
}

interface Bucket {
  tokens: number;
  at: number;
}

/**
 * Token buckets per key, spent by failures only (a wrong user code): someone who gets it right is never slowed
 * down. Bounded in keys (oldest forgotten first) like every store of the emulator.
 */
export class FailureThrottle {
  private readonly buckets: TtlStore<Bucket>;

  constructor(
    private readonly limit: ThrottleLimit,
    maxKeys: number,
  ) {
    this.buckets = new TtlStore(maxKeys);
  }

  private level(key: string, now: number): number {
    const b = this.buckets.get(key, now);
    if (!b) return this.limit.burst;
    return Math.min(this.limit.burst, b.tokens + ((now - b.at) / 1000) * this.limit.perSecond);
  }

  /** Seconds until `key` may try again; 0 when it may now. */
  waitSeconds(key: string, now = Date.now()): number {
    const level = this.level(key, now);
    return level >= 1 ? 0 : Math.ceil((1 - level) / this.limit.perSecond);
  }

  /** Records a failure of `key`. */
  fail(key: string, now = Date.now()): void {
    const tokens = this.level(key, now) - 1;
    const full = now + ((this.limit.burst - tokens) / this.limit.perSecond) * 1000;
    this.buckets.set(key, { tokens, at: now }, full);
  }

  sweep(now = Date.now()): void {
    this.buckets.sweep(now);
  }

  get size(): number {
    return this.buckets.size;
  }
}
