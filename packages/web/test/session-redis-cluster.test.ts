// Web sessions and the token cache on a real Redis Cluster (issue 15): 3 masters and 3 replicas of redis-server on
// loopback, started by this file and shared by its tests, two instances of one app each with a cluster client of
// its own. A session written through one instance is read by the other and sign-out removes it (S103); every
// command the session store sends names keys of one hash slot (S100); a client that reads from replicas is
// refused (S101).
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { SAMPLE_IDS, SAMPLE_SECRETS } from '@tokenloop/emulator';
import { Cluster } from 'ioredis';
import { WebAuthConfigError, sessionSealer } from '@tokenloop/web';
import { redisSessionStore } from '@tokenloop/web/redis';
import { redisStore } from 'tokenloop/redis';
import { useClusterAndEmulator } from '../../tokenloop/test/support/cluster-and-emulator.js';
import { refusedRedisClients } from '../../tokenloop/test/support/replica-clients.js';
import {
  clientCallsIn,
  commandsAcrossSlots,
  keylessCommands,
  recordCommands,
} from '../../tokenloop/test/support/redis-slot-sweep.js';
import { recordNamesOf } from './support/records.js';
import { Browser, type TestApp, startWebApp } from './support/web-app.js';

const ALICE = 'signed in as alice@contoso.onmicrosoft.com';
const PREFIX = 'tokenloop:session:';
const SESSION_STORE_SOURCE = join(import.meta.dirname, '..', 'src', 'session', 'redis-session-store.ts');

describe('web sessions on a Redis Cluster', () => {
  const parts = useClusterAndEmulator({ autoLogin: 'alice' });
  const { connect } = parts;
  const key = randomBytes(32);
  /** An instance of the app with a cluster client of its own; `behind` is the origin of the first instance. */
  function instance(client: Cluster, behind?: TestApp): Promise<TestApp> {
    return startWebApp({
      authority: `${parts.em.url}/${SAMPLE_IDS.contoso}`,
      clientId: SAMPLE_IDS.webApp,
      clientSecret: SAMPLE_SECRETS.webApp,
      sessionStore: redisSessionStore({ client, key }),
      tokenCache: redisStore({ client, key }),
      graphBase: parts.em.url,
      apiScope: 'User.Read',
      ...(behind ? { baseUrl: behind.url } : {}),
    });
  }
  const whoAmI = async (app: TestApp, b: Browser) => (await b.request(`${app.url}/`)).text();
  const signOut = (app: TestApp, b: Browser) =>
    b.request(`${app.url}/auth/logout`, {
      method: 'POST',
      headers: { origin: app.auth.options.origin, 'content-type': 'application/x-www-form-urlencoded' },
      body: '',
    });

  it('S103 a session written through one instance is read by another; sign-out through it removes the session and the tokens from the cluster', async () => {
    const admin = connect();
    const a = await instance(connect());
    const b = await instance(connect(), a); // the same app behind one origin
    try {
      const browser = new Browser();
      await browser.go(`${a.url}/auth/login`);
      assert.equal(await whoAmI(a, browser), ALICE);
      assert.equal(await whoAmI(b, browser), ALICE, 'the other instance reads the session');
      assert.equal((await browser.request(`${b.url}/me`)).status, 200, 'and uses the tokens in the cluster');
      const id = browser.cookies.get('tl_session')!;
      const name = PREFIX + sessionSealer(key).nameOf(recordNamesOf(a.auth).session(id));
      assert.equal(await admin.exists(name), 1, 'the session is in the cluster');
      assert.equal((await signOut(b, browser)).status, 303);
      assert.equal(await admin.exists(name), 0, 'sign-out removed the session');
      browser.cookies.set('tl_session', id); // the old cookie, kept by someone
      assert.equal(await whoAmI(a, browser), 'anonymous');
      assert.equal(await whoAmI(b, browser), 'anonymous');
      assert.deepEqual(await a.auth.client.getAccounts(), [], 'and the tokens with it');
    } finally {
      await b.close();
      await a.close();
    }
  });

  it('S100 every command the session store and the token cache send for a sign-in, its use and sign-out names keys of one hash slot', async () => {
    const { client, sent } = recordCommands(connect());
    const app = await instance(client);
    try {
      const browser = new Browser();
      await browser.go(`${app.url}/auth/login`);
      assert.equal(await whoAmI(app, browser), ALICE);
      assert.equal((await browser.request(`${app.url}/me`)).status, 200);
      await signOut(app, browser);
      assert.equal(await whoAmI(app, browser), 'anonymous');
    } finally {
      await app.close();
    }
    assert.deepEqual(
      await commandsAcrossSlots(parts.cluster, sent),
      [],
      'commands whose keys lie in several slots',
    );
    assert.deepEqual(keylessCommands(sent), [], 'commands a cluster client would send to any one node');
    const seen = new Set(sent.map((c) => c.name));
    for (const name of clientCallsIn([SESSION_STORE_SOURCE]).commands)
      assert.ok(seen.has(name), `the sweep never sent ${name}`);
  });

  it('S101 redisSessionStore refuses a client that reads from replicas, and what is not an ioredis client', () => {
    const refused = refusedRedisClients(connect);
    for (const [what, client] of refused) {
      assert.throws(
        () => redisSessionStore({ client: client as Cluster, key }),
        (err) => err instanceof WebAuthConfigError && /redisSessionStore needs .*client/.test(err.message),
        what,
      );
    }
    assert.doesNotThrow(() => redisSessionStore({ client: connect({ lazyConnect: true }), key }));
  });
});
