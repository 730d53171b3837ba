// "Sign out everywhere" fails closed (S98; finding F3): it deletes the user's other sessions, and a session is
// current only while its account's record is there with the same epoch, so that deleting a key in the store —
// someone who can write Redis, or Redis evicting under maxmemory — never brings an ended session back. Against
// a real redis-server and the emulator; the same rule with the memory store.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { SAMPLE_IDS, SAMPLE_SECRETS } from '@tokenloop/emulator';
import { type SessionStore, memorySessionStore, sessionSealer } from '@tokenloop/web';
import { redisSessionStore } from '@tokenloop/web/redis';
import { recordNamesOf } from './support/records.js';
import { Browser, type TestApp, startWebApp } from './support/web-app.js';
import { client, em, key, useEmulatorAndRedis } from './support/emulator-and-redis.js';

const ALICE = 'signed in as alice@contoso.onmicrosoft.com';
const PREFIX = 'tokenloop:session:';

describe('S98 sign out everywhere fails closed', () => {
  useEmulatorAndRedis();

  async function withApp(store: SessionStore, run: (app: TestApp) => Promise<void>): Promise<void> {
    const app = await startWebApp({
      authority: `${em.url}/${SAMPLE_IDS.contoso}`,
      clientId: SAMPLE_IDS.webApp,
      clientSecret: SAMPLE_SECRETS.webApp,
      sessionStore: store,
      graphBase: em.url,
      apiScope: 'User.Read',
    });
    try {
      await run(app);
    } finally {
      await app.close();
    }
  }
  const whoAmI = async (app: TestApp, b: Browser) => (await b.request(`${app.url}/`)).text();
  async function signedIn(app: TestApp): Promise<Browser> {
    const b = new Browser();
    await b.go(`${app.url}/auth/login`);
    assert.equal(await whoAmI(app, b), ALICE);
    return b;
  }
  const everywhere = (app: TestApp, b: Browser) =>
    b.request(`${app.url}/auth/logout`, {
      method: 'POST',
      headers: { origin: app.url, 'content-type': 'application/x-www-form-urlencoded' },
      body: 'everywhere=1',
    });
  const snapshot = async () => {
    const all = new Map<string, { value: string; ttl: number }>();
    for (const k of await client.keys(`${PREFIX}*`))
      all.set(k, { value: (await client.get(k))!, ttl: await client.pttl(k) });
    return all;
  };

  it('S98 Redis: sign out everywhere deletes the other sessions; no single key deleted (nor all the keys it wrote) brings one back, nor does putting its old value back', async () => {
    await withApp(redisSessionStore({ client, key }), async (app) => {
      const names = recordNamesOf(app.auth);
      const sealer = sessionSealer(key);
      const laptop = await signedIn(app);
      const stolen = await signedIn(app); // a lost device, a stolen cookie
      const stolenKey = `${PREFIX}${sealer.nameOf(names.session(stolen.cookies.get('tl_session')!))}`;
      const stolenValue = (await client.get(stolenKey))!;
      assert.ok(stolenValue, 'the stolen session is in Redis');
      const before = await snapshot();

      assert.equal((await everywhere(app, laptop)).status, 303);
      assert.equal(await whoAmI(app, stolen), 'anonymous');
      assert.equal(
        await client.exists(stolenKey),
        0,
        "the other session's record is deleted, not only marked",
      );

      // Whatever the sign-out rewrote or removed, deleted (the reviewer's attack) or put back as it was.
      const after = await snapshot();
      const touched = [...before.keys()].filter((k) => after.get(k)?.value !== before.get(k)!.value);
      assert.ok(touched.length >= 2, 'the sign-out changed the account record and the sessions');
      for (const k of [...after.keys()]) {
        await client.del(k);
        assert.equal(await whoAmI(app, stolen), 'anonymous', `after DEL of one key`);
        await client.set(k, after.get(k)!.value, 'PX', Math.max(1, after.get(k)!.ttl));
      }
      for (const k of touched) await client.del(k);
      assert.equal(await whoAmI(app, stolen), 'anonymous', 'after DEL of every key the sign-out wrote');
      // The stolen session's own sealed value put back (an earlier value, as a writer of Redis can).
      await client.set(stolenKey, stolenValue, 'PX', 60_000);
      assert.equal(await whoAmI(app, stolen), 'anonymous', "its old value back, the account's record gone");
      assert.equal((await stolen.request(`${app.url}/me`)).status, 302);
      // A new sign-in works, and the old value stays dead beside it.
      const again = await signedIn(app);
      assert.equal(await whoAmI(app, stolen), 'anonymous', 'old value, account record made anew');
      await everywhere(app, again);
      await client.del(stolenKey);
    });
  });

  it("S98 memory store: a session whose account record is gone, or no longer lists it, is no session (eviction fails closed; a single sign-out's record put back), and sign out everywhere deletes the other sessions' records", async () => {
    const store = memorySessionStore();
    await withApp(store, async (app) => {
      const names = recordNamesOf(app.auth);
      const one = await signedIn(app);
      const session = await app.auth.session({
        method: 'GET',
        url: new URL('/', app.url),
        cookieHeader: `tl_session=${one.cookies.get('tl_session')}`,
      });
      const accountName = names.account(session!.homeAccountId);
      const account = (await store.get(accountName))!;
      assert.ok(account, 'the account record is there');
      await store.delete(accountName);
      assert.equal(await whoAmI(app, one), 'anonymous', 'its account record gone: signed out');
      await store.set(accountName, account, 60_000);
      assert.equal(await whoAmI(app, one), ALICE, 'the record back: signed in (the record was the reason)');

      // A session signed out alone, its record put back: the account record no longer lists it.
      const alone = await signedIn(app);
      const aloneName = names.session(alone.cookies.get('tl_session')!);
      const aloneRecord = (await store.get(aloneName))!;
      const out = await alone.request(`${app.url}/auth/logout`, {
        method: 'POST',
        headers: { origin: app.url },
      });
      assert.equal(out.status, 303);
      assert.equal(await store.get(aloneName), undefined, 'deleted');
      await store.set(aloneName, aloneRecord, 60_000);
      assert.equal(await whoAmI(app, alone), 'anonymous', 'signed out alone, its record put back');
      assert.equal(await whoAmI(app, one), ALICE, 'the other session is untouched');

      const two = await signedIn(app);
      const twoName = names.session(two.cookies.get('tl_session')!);
      const twoRecord = (await store.get(twoName))!;
      assert.equal((await everywhere(app, one)).status, 303);
      assert.equal(await store.get(twoName), undefined, 'deleted');
      await store.set(twoName, twoRecord, 60_000); // put back
      assert.equal(await whoAmI(app, two), 'anonymous', 'its record back, the account record gone');
      await signedIn(app);
      assert.equal(await whoAmI(app, two), 'anonymous', 'its record back, another account record made since');
    });
  });
});
