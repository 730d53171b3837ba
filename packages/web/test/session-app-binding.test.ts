// A session belongs to the app that created it (S97; finding F2): its issuer, client id and public origin. Two
// apps sharing one session store — the same Redis with the same key and prefix, or one memory store given to
// two WebAuth objects in one process — must not accept each other's session cookies: a user of app A who
// replays their own cookie at app B is not signed in there. Swept over which of the three differs × the store.
import assert from 'node:assert/strict';
import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { SAMPLE_IDS, SAMPLE_SECRETS } from '@tokenloop/emulator';
import { type SessionStore, memorySessionStore, sessionSealer } from '@tokenloop/web';
import { redisSessionStore } from '@tokenloop/web/redis';
import { recordNamesOf } from './support/records.js';
import { Browser, type TestApp, startWebApp } from './support/web-app.js';
import { client, em, key, useEmulatorAndRedis } from './support/emulator-and-redis.js';

const ALICE = 'signed in as alice@contoso.onmicrosoft.com';
const OTHER_CLIENT = '99999999-9999-4999-8999-999999999999';

type Difference = 'another origin' | 'another client id' | 'another issuer' | 'nothing (a second instance)';
const DIFFERENCES: Difference[] = [
  'another origin',
  'another client id',
  'another issuer',
  'nothing (a second instance)',
];
type StoreKind = 'one Redis, same key and prefix' | 'one memory store in one process';
const STORES: StoreKind[] = ['one Redis, same key and prefix', 'one memory store in one process'];

describe('S97 a session is bound to the app that created it', () => {
  useEmulatorAndRedis();

  for (const storeKind of STORES) {
    for (const difference of DIFFERENCES) {
      const accepted = difference === 'nothing (a second instance)';
      it(`S97 ${storeKind}: app B differing from app A by ${difference} ${accepted ? 'serves' : 'refuses'} A's session cookie`, async () => {
        const shared = memorySessionStore();
        const store = (): SessionStore =>
          storeKind === 'one memory store in one process' ? shared : redisSessionStore({ client, key });
        const a = await startWebApp({
          authority: `${em.url}/${SAMPLE_IDS.contoso}`,
          clientId: SAMPLE_IDS.webApp,
          clientSecret: SAMPLE_SECRETS.webApp,
          sessionStore: store(),
          graphBase: em.url,
          apiScope: 'User.Read',
        });
        let b: TestApp | undefined;
        try {
          b = await startWebApp({
            authority: `${em.url}/${difference === 'another issuer' ? SAMPLE_IDS.fabrikam : SAMPLE_IDS.contoso}`,
            clientId: difference === 'another client id' ? OTHER_CLIENT : SAMPLE_IDS.webApp,
            clientSecret: difference === 'another client id' ? 'another-app-secret' : SAMPLE_SECRETS.webApp,
            sessionStore: store(),
            graphBase: em.url,
            apiScope: 'User.Read',
            ...(difference === 'another origin' ? {} : { baseUrl: a.url }),
          });
          const alice = new Browser();
          await alice.go(`${a.url}/auth/login`);
          assert.equal(await (await alice.request(`${a.url}/`)).text(), ALICE);
          // Alice takes her own app-A cookie to app B.
          const replay = new Browser();
          replay.cookies.set('tl_session', alice.cookies.get('tl_session')!);
          const home = await (await replay.request(`${b.url}/`)).text();
          const me = await replay.request(`${b.url}/me`);
          const session = await b.auth.session({
            method: 'GET',
            url: new URL('/', b.auth.options.origin),
            cookieHeader: `tl_session=${alice.cookies.get('tl_session')}`,
          });
          if (accepted) {
            assert.equal(home, ALICE);
            assert.equal(session?.username, 'alice@contoso.onmicrosoft.com');
          } else {
            assert.equal(home, 'anonymous');
            assert.equal(me.status, 302, 'a page behind sign-in sends the browser to sign in');
            assert.match(me.headers.get('location')!, /^\/auth\/login\?/);
            assert.equal(session, undefined);
          }
          // App A still serves its own session.
          assert.equal(await (await alice.request(`${a.url}/`)).text(), ALICE);
        } finally {
          await b?.close();
          await a.close();
        }
      });
    }
  }

  /** Apps A and B differing by origin only (so they share the account records), on one store. */
  async function twoApps(store: () => SessionStore): Promise<[TestApp, TestApp]> {
    const common = {
      authority: `${em.url}/${SAMPLE_IDS.contoso}`,
      clientId: SAMPLE_IDS.webApp,
      clientSecret: SAMPLE_SECRETS.webApp,
      graphBase: em.url,
      apiScope: 'User.Read',
    };
    const a = await startWebApp({ ...common, sessionStore: store() });
    return [a, await startWebApp({ ...common, sessionStore: store() })];
  }
  const sessionAt = (app: TestApp, id: string) =>
    app.auth.session({ method: 'GET', url: new URL('/', app.url), cookieHeader: `tl_session=${id}` });

  it("S97 a session record of app A put in place of app B's is refused by B: the record names its app", async () => {
    const store = memorySessionStore();
    const [a, b] = await twoApps(() => store);
    try {
      // Alice signs in at both apps (which share the account record: one epoch, both sessions listed).
      const atA = new Browser();
      await atA.go(`${a.url}/auth/login`);
      const atB = new Browser();
      await atB.go(`${b.url}/auth/login`);
      const idB = atB.cookies.get('tl_session')!;
      const nameB = recordNamesOf(b.auth).session(idB);
      const recordA = (await store.get(recordNamesOf(a.auth).session(atA.cookies.get('tl_session')!)))!;
      const recordB = (await store.get(nameB))!;
      assert.deepEqual(recordA.app, recordNamesOf(a.auth).app);
      assert.equal(recordA.epoch, recordB.epoch, 'the same account record');
      assert.equal((await sessionAt(b, idB))?.username, 'alice@contoso.onmicrosoft.com');
      await store.set(nameB, recordA, 60_000);
      assert.equal(await sessionAt(b, idB), undefined, "A's record in place of B's");
      await store.set(nameB, { ...recordA, app: recordNamesOf(b.auth).app }, 60_000);
      assert.equal(
        (await sessionAt(b, idB))?.username,
        'alice@contoso.onmicrosoft.com',
        'the same record naming app B is accepted: the app it names was the only difference',
      );
    } finally {
      await a.close();
      await b.close();
    }
  });

  it("S97 a sealed session value of app A copied in Redis to app B's entry does not open: the app's names are the seal's associated data", async () => {
    const [a, b] = await twoApps(() => redisSessionStore({ client, key }));
    try {
      const alice = new Browser();
      await alice.go(`${a.url}/auth/login`);
      const id = alice.cookies.get('tl_session')!;
      const sealer = sessionSealer(key);
      const nameA = sealer.nameOf(recordNamesOf(a.auth).session(id));
      const nameB = sealer.nameOf(recordNamesOf(b.auth).session(id));
      assert.notEqual(nameA, nameB, 'the two apps keep the same cookie under different Redis keys');
      const value = (await client.get(`tokenloop:session:${nameA}`))!;
      assert.ok(sealer.open(nameA, value), "it opens as A's");
      assert.equal(sealer.open(nameB, value), undefined, "it does not open as B's");
      await client.set(`tokenloop:session:${nameB}`, value, 'PX', 60_000);
      assert.equal(await sessionAt(b, id), undefined);
      assert.equal((await sessionAt(a, id))?.username, 'alice@contoso.onmicrosoft.com');
      await client.del(`tokenloop:session:${nameB}`);
    } finally {
      await a.close();
      await b.close();
    }
  });
});

describe('S97 sweep', () => {
  it('S97 every session store call in packages/web/src names its record through record-names.ts', () => {
    const src = join(import.meta.dirname, '..', 'src');
    const files = readdirSync(src, { recursive: true, encoding: 'utf8' }).filter((f) => f.endsWith('.ts'));
    let calls = 0;
    for (const file of files) {
      const text = readFileSync(join(src, file), 'utf8');
      // A call on a session store: `sessions.x(`, `store.x(`, `d.sessions.x(` with x one of the store's methods.
      for (const m of text.matchAll(/\b(?:sessions|store)\.(get|set|take|delete)\(\s*([^,)]*)/g)) {
        if (file.endsWith('session-store.ts') || file.endsWith('redis-session-store.ts')) continue;
        calls++;
        assert.match(
          m[2]!,
          /^(?:\w+\.)?names\.(?:session|listedSession|transaction|finish|account)\(/,
          `${file}: ${m[0]}`,
        );
      }
    }
    assert.ok(calls >= 6, `found only ${calls} store calls: the pattern no longer matches the code`);
  });
});
