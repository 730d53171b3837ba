// Web sessions in Redis (finding 13 of the security review; S67, S68): Redis sees only keyed hashes of session
// ids and sealed values bound to them, so whoever reads Redis cannot replay a session and whoever writes it
// cannot forge or move one without the key. Against a real redis-server and the emulator.
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { after, before, describe, it } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import { type RunningEmulator, SAMPLE_IDS, SAMPLE_SECRETS, startEmulator } from '@tokenloop/emulator';
import { Redis } from 'ioredis';
import { type SessionStore, WebAuthConfigError } from '@tokenloop/web';
import { redisSessionStore } from '@tokenloop/web/redis';
import { redisStore } from 'tokenloop/redis';
import { type RunningRedis, startRedis } from '../../tokenloop/test/support/redis-server.js';
import { recordNamesOf } from './support/records.js';
import { Browser, type TestApp, startWebApp } from './support/web-app.js';

const PREFIX = 'tokenloop:session:';

describe('S67 web sessions in Redis', () => {
  let em: RunningEmulator;
  let redis: RunningRedis;
  let client: Redis;
  let store: SessionStore;
  let app: TestApp;
  const key = randomBytes(32);

  before(async () => {
    em = await startEmulator({ autoLogin: 'alice' });
    redis = await startRedis();
    client = new Redis(redis.url);
    store = redisSessionStore({ client, key });
    app = await startWebApp({
      authority: `${em.url}/${SAMPLE_IDS.contoso}`,
      clientId: SAMPLE_IDS.webApp,
      clientSecret: SAMPLE_SECRETS.webApp,
      sessionStore: store,
      tokenCache: redisStore({ client, key }),
      graphBase: em.url,
      apiScope: 'User.Read',
    });
  });
  after(async () => {
    await app?.close();
    client?.disconnect();
    await redis?.stop();
    await em?.close();
  });

  const sessionKeys = async () => (await client.keys(`${PREFIX}*`)).sort();
  const whoAmI = async (browser: Browser) => (await browser.request(`${app.url}/`)).text();

  /** Sign in with a new browser; returns it, its session cookie and the one Redis key that sign-in added. */
  async function signIn(): Promise<{ browser: Browser; id: string; name: string }> {
    const before = new Set(await sessionKeys());
    const browser = new Browser();
    await browser.go(`${app.url}/auth/login`);
    const id = browser.cookies.get('tl_session')!;
    assert.equal(await whoAmI(browser), 'signed in as alice@contoso.onmicrosoft.com');
    // The session's key is the new one without which the browser is anonymous (moved aside and back).
    for (const name of (await sessionKeys()).filter((k) => !before.has(k))) {
      await client.rename(name, `${name}:aside`);
      const anonymous = (await whoAmI(browser)) === 'anonymous';
      await client.rename(`${name}:aside`, name);
      if (anonymous) return { browser, id, name };
    }
    throw new Error('no Redis key holds the new session');
  }

  it('S67 neither the raw session id nor the transaction id, the homeAccountId or the username appears in Redis keys, and the values are not readable JSON', async () => {
    // A sign-in in progress: its transaction is in Redis until the callback.
    const pending = new Browser();
    await pending.request(`${app.url}/auth/login`);
    const txId = pending.cookies.get('tl_tx')!;
    assert.ok(txId);
    const { id } = await signIn();
    const [account] = await app.auth.client.getAccounts();
    const keys = await sessionKeys();
    assert.ok(keys.length >= 2, 'a session and a transaction are stored');
    for (const k of keys) {
      for (const secret of [id, txId, account!.homeAccountId, account!.username!, 'alice']) {
        assert.ok(
          !k.toLowerCase().includes(secret.toLowerCase()),
          `key ${k} reveals ${secret === id ? 'the session id' : secret}`,
        );
      }
      const value = (await client.get(k))!;
      let parsed: unknown;
      try {
        parsed = JSON.parse(value);
      } catch {
        parsed = undefined;
      }
      assert.equal(parsed, undefined, `the value of ${k} is JSON`);
      for (const word of [
        'homeAccountId',
        'alice',
        'contoso',
        account!.homeAccountId,
        'codeVerifier',
        'returnTo',
      ])
        assert.ok(!value.includes(word), `the value of ${k} shows ${word}`);
    }
  });

  it("S67 a session copied in Redis to another session's key is refused", async () => {
    const a = await signIn();
    const b = await signIn();
    await client.set(b.name, (await client.get(a.name))!, 'PX', 60_000);
    assert.equal(await whoAmI(b.browser), 'anonymous');
    assert.equal(
      await whoAmI(a.browser),
      'signed in as alice@contoso.onmicrosoft.com',
      'the original still works',
    );
  });

  it('S67 a session forged in Redis without the key is refused (plain JSON, under the raw id or the right name; sealed with another key; altered)', async () => {
    const victim = await signIn();
    const [account] = await app.auth.client.getAccounts();
    const forged = JSON.stringify({
      app: recordNamesOf(app.auth).app,
      homeAccountId: account!.homeAccountId,
      username: account!.username,
      claims: {},
      signedInAt: Date.now(),
    });
    // The old format: `<prefix>s:<raw id>` with plain JSON, and a cookie the attacker chose.
    const attacker = new Browser();
    const chosen = randomBytes(32).toString('base64url');
    await client.set(`${PREFIX}s:${chosen}`, forged, 'PX', 60_000);
    attacker.cookies.set('tl_session', chosen);
    assert.equal(await whoAmI(attacker), 'anonymous', 'plain JSON under the raw id');
    // Plain JSON under the real session's (hashed) name: the victim's own cookie must not start reading it.
    const original = (await client.get(victim.name))!;
    await client.set(victim.name, forged, 'PX', 60_000);
    assert.equal(await whoAmI(victim.browser), 'anonymous', 'plain JSON under the hashed name');
    // Sealed by a store with another key, moved under the real name.
    const other = redisSessionStore({ client, key: randomBytes(32), prefix: 'elsewhere:' });
    await other.set(
      recordNamesOf(app.auth).session(victim.id),
      JSON.parse(forged) as Record<string, unknown>,
      60_000,
    );
    const [otherName] = await client.keys('elsewhere:*');
    await client.set(victim.name, (await client.get(otherName!))!, 'PX', 60_000);
    assert.equal(await whoAmI(victim.browser), 'anonymous', 'sealed with another key');
    // One character of the original changed.
    const i = Math.floor(original.length / 2);
    const altered = `${original.slice(0, i)}${original[i] === 'A' ? 'B' : 'A'}${original.slice(i + 1)}`;
    await client.set(victim.name, altered, 'PX', 60_000);
    assert.equal(await whoAmI(victim.browser), 'anonymous', 'altered');
    // And the untouched original is still accepted (the refusals above were not for another reason).
    await client.set(victim.name, original, 'PX', 60_000);
    assert.equal(await whoAmI(victim.browser), 'signed in as alice@contoso.onmicrosoft.com');
    await client.del(`${PREFIX}s:${chosen}`, otherName!);
  });

  it('S67 a value outlives its Redis expiry by nothing: the sealed expiry holds when PERSIST removed the TTL', async () => {
    const before = new Set(await client.keys('*'));
    await store.set('s:expiry-check', { n: 1 }, 200);
    const [name] = (await client.keys('*')).filter((k) => !before.has(k));
    assert.equal(await client.persist(name!), 1);
    assert.deepEqual(await store.get('s:expiry-check'), { n: 1 });
    await sleep(300);
    assert.equal(await client.exists(name!), 1, 'still in Redis');
    assert.equal(await store.get('s:expiry-check'), undefined, 'but expired');
    await client.del(name!);
  });

  it('S67 redisSessionStore needs a key of at least 32 bytes (or a 32-character secret)', () => {
    for (const bad of [undefined, '', 'short secret', new Uint8Array(16), 42]) {
      assert.throws(
        () => redisSessionStore({ client, key: bad as never }),
        (e: unknown) => e instanceof WebAuthConfigError && /key/.test(e.message),
        String(bad),
      );
    }
    assert.doesNotThrow(() => redisSessionStore({ client, key: 'x'.repeat(32) }));
  });
});
