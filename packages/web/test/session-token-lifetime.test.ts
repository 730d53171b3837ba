// Server-side tokens end with the user's last session (S99; finding F4), also when the sessions simply expire:
// nobody signs out, the browser just stops being signed in. The instance that made a session checks its
// account's tokens when the session ends; a sweep on every instance catches the rest (sessions of an instance
// that stopped) within one interval (the session lifetime, at most 60 s). Either deletes the token record of an
// account without a live session, decided under the token cache's lock. Bounded in time with a 10-second
// session lifetime; against redis-server (the reviewer's setup) and the default in-memory stores.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import { SAMPLE_IDS, SAMPLE_SECRETS } from '@tokenloop/emulator';
import { redisSessionStore } from '@tokenloop/web/redis';
import { redisStore } from 'tokenloop/redis';
import { Browser, type TestApp, startWebApp } from './support/web-app.js';
import { client, em, key, useEmulatorAndRedis } from './support/emulator-and-redis.js';

const TTL_SECONDS = 10;
/** How long tokens may outlive the last session made by a running instance: its check a second after the end. */
const AT_ONCE_MS = 4_000;
/** ... and a session of an instance that stopped: one sweep interval (the lifetime here) and a margin. */
const SWEEP_BOUND_MS = TTL_SECONDS * 1000 + 5_000;
const ALICE = 'signed in as alice@contoso.onmicrosoft.com';

describe('S99 server-side tokens end with the last session', () => {
  useEmulatorAndRedis();

  const start = (extra: object = {}) =>
    startWebApp({
      authority: `${em.url}/${SAMPLE_IDS.contoso}`,
      clientId: SAMPLE_IDS.webApp,
      clientSecret: SAMPLE_SECRETS.webApp,
      sessionTtlSeconds: TTL_SECONDS,
      graphBase: em.url,
      apiScope: 'User.Read',
      ...extra,
    });
  const whoAmI = async (app: TestApp, b: Browser) => (await b.request(`${app.url}/`)).text();
  /** Polls until `done()` holds; returns how long it took, or fails after `limitMs`. */
  async function within(limitMs: number, what: string, done: () => Promise<boolean>): Promise<number> {
    const started = Date.now();
    while (!(await done())) {
      assert.ok(Date.now() - started < limitMs, `${what} within ${limitMs} ms`);
      await sleep(500);
    }
    return Date.now() - started;
  }
  const refreshRefused = async (app: TestApp, homeAccountId: string) => {
    await assert.rejects(
      app.auth.client.acquireTokenSilent({
        account: homeAccountId,
        scopes: ['User.Read'],
        forceRefresh: true,
      }),
      (err: Error & { code?: string }) => {
        assert.equal(err.code, 'ACCOUNT_NOT_FOUND', err.message);
        return true;
      },
      'the refresh token is gone',
    );
  };

  it('S99 Redis: when the only session expires, the token record leaves Redis and the refresh token cannot be redeemed', async () => {
    const app = await start({
      sessionStore: redisSessionStore({ client, key }),
      tokenCache: redisStore({ client, key }),
    });
    try {
      const b = new Browser();
      await b.go(`${app.url}/auth/login`);
      const signedInAt = Date.now();
      assert.equal(await whoAmI(app, b), ALICE);
      const [account] = await app.auth.client.getAccounts();
      const records = () => client.keys('tokenloop:rec:*');
      assert.equal((await records()).length, 1, 'the token record is in Redis');
      await within(
        TTL_SECONDS * 1000 + 2_000,
        'the session ends',
        async () => (await whoAmI(app, b)) === 'anonymous',
      );
      await within(AT_ONCE_MS, 'the token record is deleted', async () => (await records()).length === 0);
      assert.ok(Date.now() - signedInAt <= TTL_SECONDS * 1000 + AT_ONCE_MS);
      assert.deepEqual(await app.auth.client.getAccounts(), []);
      await refreshRefused(app, account!.homeAccountId);
    } finally {
      await app.close();
    }
  });

  it('S99 default memory stores: tokens stay while another session of the user lives, and go after the last one expires', async () => {
    const app = await start();
    try {
      const first = new Browser();
      await first.go(`${app.url}/auth/login`);
      const [account] = await app.auth.client.getAccounts();
      await sleep((TTL_SECONDS / 2) * 1000);
      const second = new Browser();
      await second.go(`${app.url}/auth/login`);
      const secondAt = Date.now();
      await within(
        TTL_SECONDS * 1000,
        'the first session ends',
        async () => (await whoAmI(app, first)) === 'anonymous',
      );
      // The second session still lives: its tokens are there, sweeps or not.
      assert.equal(await whoAmI(app, second), ALICE);
      assert.equal((await second.request(`${app.url}/me`)).status, 200, 'Graph with the tokens');
      assert.equal((await app.auth.client.getAccounts()).length, 1);
      await within(
        secondAt + TTL_SECONDS * 1000 + 2_000 - Date.now(),
        'the second session ends',
        async () => (await whoAmI(app, second)) === 'anonymous',
      );
      await within(
        AT_ONCE_MS,
        'the tokens are deleted',
        async () => (await app.auth.client.getAccounts()).length === 0,
      );
      await refreshRefused(app, account!.homeAccountId);
    } finally {
      await app.close();
    }
  });

  it("S99 Redis, two instances: the sessions of an instance that stopped lose their tokens through the other instance's sweep", async () => {
    const stores = () => ({
      sessionStore: redisSessionStore({ client, key }),
      tokenCache: redisStore({ client, key }),
    });
    const a = await start(stores());
    const b = await start({ ...stores(), baseUrl: a.url }); // the same app behind one origin
    try {
      const browser = new Browser();
      await browser.go(`${a.url}/auth/login`);
      const [account] = await b.auth.client.getAccounts();
      await a.close(); // instance A stops: its own check at the session's end never runs
      const records = () => client.keys('tokenloop:rec:*');
      assert.equal((await records()).length, 1);
      await within(
        TTL_SECONDS * 1000 + 2_000,
        'the session ends',
        async () => (await whoAmI(b, browser)) === 'anonymous',
      );
      // No check that the record is still there at this moment: B's sweep may already have run (it did once in a
      // validation run, on a loaded machine). A stopped, so whatever deletes the record now is B's sweep.
      await within(
        SWEEP_BOUND_MS,
        "instance B's sweep deletes the token record",
        async () => (await records()).length === 0,
      );
      await refreshRefused(b, account!.homeAccountId);
    } finally {
      await b.close();
    }
  });
});
