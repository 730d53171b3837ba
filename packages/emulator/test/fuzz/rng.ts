// Seeded randomness for the fuzz run: one generator per action, derived from FUZZ_SEED and the action's index.
import { SEED } from './config.ts';

export class Rng {
  constructor(private state: number) {}
  next(): number {
    this.state = (this.state + 0x6d2b79f5) | 0;
    let t = Math.imul(this.state ^ (this.state >>> 15), 1 | this.state);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  }
  int(n: number): number {
    return Math.floor(this.next() * n);
  }
  chance(p: number): boolean {
    return this.next() < p;
  }
  pick<T>(items: readonly T[]): T {
    return items[this.int(items.length)]!;
  }
  shuffle<T>(items: T[]): T[] {
    for (let i = items.length - 1; i > 0; i--) {
      const j = this.int(i + 1);
      [items[i], items[j]] = [items[j]!, items[i]!];
    }
    return items;
  }
}

/** Random bytes from the action's generator (never from crypto: the run must be reproducible). */
export function bytes(r: Rng, n: number): Buffer {
  return Buffer.from(Array.from({ length: n }, () => r.int(256)));
}

export function rngFor(index: number): Rng {
  return new Rng((SEED ^ Math.imul(index + 1, 0x9e3779b1)) >>> 0);
}
