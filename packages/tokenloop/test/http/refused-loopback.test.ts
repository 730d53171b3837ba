// The one retry rule (src/http/retry.ts): a connection this machine's loopback refuses means nothing listens on
// that port, and nothing will within the back-off: it fails at once, with the same NETWORK error a last try
// gives, and no retry is announced. A refusal elsewhere, and every other network failure, is still retried.
import assert from 'node:assert/strict';
import { createServer } from 'node:net';
import { describe, it } from 'node:test';
import { TokenloopError, createHttpFetch } from '../../src/index.js';
import { type RetryNotice, withRetry } from '../../src/http/retry.js';

/** A loopback port nothing listens on now. */
function closedPort(): Promise<number> {
  return new Promise((resolve) => {
    const s = createServer().listen(0, '127.0.0.1', () => {
      const { port } = s.address() as { port: number };
      s.close(() => resolve(port));
    });
  });
}

describe('a refused loopback connection is not retried', () => {
  it('a closed loopback port: one try, no retry notice, the NETWORK error at once', async () => {
    const port = await closedPort();
    const fetchOnce = createHttpFetch({ timeoutMs: 5_000 });
    let tries = 0;
    const notices: Omit<RetryNotice, 'url'>[] = [];
    const started = Date.now();
    const err = await withRetry(
      () => {
        tries++;
        return fetchOnce(`https://127.0.0.1:${port}/organizations/v2.0/.well-known/openid-configuration`);
      },
      { attempts: 3, baseDelayMs: 2_000, onRetry: (n) => notices.push(n) },
    ).then(
      () => assert.fail('a closed port answered'),
      (e: unknown) => e,
    );
    assert.ok(err instanceof TokenloopError && err.code === 'NETWORK', String(err));
    assert.match(err.message, new RegExp(`cannot reach https://127\\.0\\.0\\.1:${port}: ECONNREFUSED`));
    assert.equal(tries, 1, 'tried once');
    assert.deepEqual(notices, []);
    assert.ok(Date.now() - started < 2_000, 'no back-off was waited');
  });

  it('other network failures are still retried (a connection reset, a refusal not from the loopback)', async () => {
    for (const cause of [
      { code: 'ECONNRESET', address: '127.0.0.1' },
      { code: 'ECONNREFUSED', address: '192.0.2.10' },
    ]) {
      let tries = 0;
      const notices: Omit<RetryNotice, 'url'>[] = [];
      await assert.rejects(
        withRetry(
          () => {
            tries++;
            const fetchError = new TypeError('fetch failed', {
              cause: Object.assign(new Error(cause.code), cause),
            });
            return Promise.reject(
              new TokenloopError('NETWORK', `cannot reach: ${cause.code}`, { cause: fetchError }),
            );
          },
          { attempts: 3, baseDelayMs: 1, onRetry: (n) => notices.push(n) },
        ),
        (e: unknown) => e instanceof TokenloopError && e.code === 'NETWORK',
      );
      assert.equal(tries, 3, `${cause.code} from ${cause.address}: every try`);
      assert.equal(notices.length, 2);
    }
  });
});
