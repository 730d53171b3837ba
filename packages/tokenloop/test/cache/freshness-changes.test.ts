// S221: until the first time any cached token becomes fresh or stops being fresh, the same cache hands out the
// same tokens; nextFreshnessChange says when that is (the CLI's token agent keeps an answer no longer).
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { isFresh, nextFreshnessChange, refreshDueAt } from '../../src/cache/freshness.js';
import type { CachedAccessToken } from '../../src/model/account-record.js';

const HOUR = 3_600_000;
const token = (obtainedAt: number, lifetime = HOUR): CachedAccessToken => ({
  secret: 'at',
  tokenType: 'bearer',
  resource: '',
  scopes: ['read'],
  obtainedAt,
  expiresAt: obtainedAt + lifetime,
});

describe('S221 nextFreshnessChange', () => {
  const now = 1_000_000_000_000;
  it('S221 is the renewal time of a fresh token, and Infinity for none', () => {
    const t = token(now - 60_000);
    assert.equal(nextFreshnessChange([t], now), refreshDueAt(t));
    assert.equal(nextFreshnessChange([], now), Infinity);
  });

  it('S221 is the time a token obtained by a clock ahead of ours becomes fresh, when that comes first', () => {
    const fresh = token(now - 60_000);
    const ahead = token(now + 15 * 60_000); // obtained 15 min "later": fresh 10 min before that, 5 min from now
    assert.equal(isFresh(ahead, now), false);
    const change = nextFreshnessChange([fresh, ahead], now);
    assert.equal(change, now + 5 * 60_000);
    assert.equal(isFresh(ahead, change - 1), false);
    assert.equal(isFresh(ahead, change), true);
  });

  it('S221 nothing changes between now and the time it gives (a sweep over the tokens and minutes)', () => {
    const tokens = [
      token(now - 50 * 60_000),
      token(now + 12 * 60_000, 30 * 60_000),
      token(now - 5_000, 600_000),
    ];
    const change = nextFreshnessChange(tokens, now);
    const state = (at: number) => tokens.map((t) => isFresh(t, at)).join();
    for (let at = now; at < change; at += 10_000)
      assert.equal(state(at), state(now), `at +${(at - now) / 1000} s`);
    assert.notEqual(state(change), state(now));
  });
});
