// What a session store returns is untrusted input (S68): a session or transaction record of the wrong shape —
// from a damaged store, an older version, or someone who can write the store — is treated as absent: the user
// is anonymous, the sign-in is "expired", nothing crashes and nothing reaches the app as a bare cast.
import assert from 'node:assert/strict';
import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { recordNamesOf } from './support/records.js';
import { ALICE, app, signIn, store, useSignInApp, whoAmI } from './support/signed-in-app.js';
import { Browser } from './support/web-app.js';

for (const adapter of ['express', 'fastify'] as const) {
  describe(`S68 session records are checked when read (${adapter})`, () => {
    useSignInApp({ adapter, sessionTtlSeconds: 3600 });

    it('S68 a session record of the wrong shape (or past its lifetime) is no session', async () => {
      const b = await signIn();
      const id = b.cookies.get('tl_session')!;
      const good = (await store.get(recordNamesOf(app.auth).session(id)))!;
      assert.equal(await whoAmI(b), ALICE);
      const bad: Record<string, unknown>[] = [
        {},
        { ...good, homeAccountId: 42 },
        { ...good, homeAccountId: '' },
        { ...good, homeAccountId: { toString: 'x' } },
        { ...good, username: ['alice'] },
        { ...good, name: 7 },
        { ...good, claims: 'oid' },
        { ...good, claims: { oid: { nested: true } } },
        { ...good, claims: { ...(good.claims as object), roles: 'admin' } },
        { ...good, signedInAt: String(Date.now()) },
        { ...good, signedInAt: Date.now() - 3601_000 },
        { ...good, signedInAt: Number.NaN },
        { ...good, epoch: undefined },
        { ...good, epoch: 'x'.repeat(42) },
      ];
      for (const record of bad) {
        await store.set(recordNamesOf(app.auth).session(id), record, 60_000);
        const home = await b.request(`${app.url}/`);
        assert.equal(home.status, 200, JSON.stringify(record));
        assert.equal(await home.text(), 'anonymous', JSON.stringify(record));
        const me = await b.request(`${app.url}/me`);
        assert.equal(me.status, 302, `${JSON.stringify(record)}: sent to sign in`);
      }
      await store.set(recordNamesOf(app.auth).session(id), good, 60_000);
      assert.equal(await whoAmI(b), ALICE);
    });

    it('S68 a transaction record of the wrong shape (or for another redirect URI) ends the sign-in as expired', async () => {
      const mutations: ((tx: Record<string, unknown>) => Record<string, unknown>)[] = [
        () => ({}),
        (tx) => ({ ...tx, returnTo: 42 }),
        (tx) => ({ ...tx, transaction: 'x' }),
        (tx) => ({ ...tx, transaction: { ...(tx.transaction as object), scopes: 'openid' } }),
        (tx) => ({ ...tx, transaction: { ...(tx.transaction as object), state: 1 } }),
        (tx) => ({ ...tx, transaction: { ...(tx.transaction as object), responseMode: 'fragment' } }),
        (tx) => ({ ...tx, transaction: { ...(tx.transaction as object), createdAt: 'now' } }),
        (tx) => ({
          ...tx,
          transaction: { ...(tx.transaction as object), redirectUri: 'http://127.0.0.1:1/auth/callback' },
        }),
      ];
      for (const mutate of mutations) {
        const b = new Browser();
        const start = await b.request(`${app.url}/auth/login`);
        const txId = b.cookies.get('tl_tx')!;
        const tx = (await store.get(recordNamesOf(app.auth).transaction(txId)))!;
        await store.set(recordNamesOf(app.auth).transaction(txId), mutate(tx), 60_000);
        const authorize = await fetch(start.headers.get('location')!, { redirect: 'manual' });
        const res = await b.request(authorize.headers.get('location')!);
        assert.equal(res.status, 400, JSON.stringify(mutate(tx)).slice(0, 200));
        assert.match(await res.text(), /Sign-in expired/);
        assert.equal(b.cookies.get('tl_session'), undefined, 'no session');
      }
    });
  });
}

describe('S68 sweep', () => {
  it('S68 every read from a session store in packages/web/src goes straight into a parse function', () => {
    const src = join(import.meta.dirname, '..', 'src');
    const files = readdirSync(src, { recursive: true, encoding: 'utf8' }).filter(
      (f) => f.endsWith('.ts') && !f.startsWith('bearer'),
    );
    let reads = 0;
    for (const file of files) {
      const text = readFileSync(join(src, file), 'utf8');
      // A store read is a get/take of one of the web layer's record names (record-names.ts, S97).
      for (const m of text.matchAll(/(.{0,60})\b\w+\.(?:get|take)\(\s*names\.\w+\(/g)) {
        reads++;
        assert.match(m[1]!, /\bparse\w+\(await $/, `${file}: a store read without a parse function: ${m[0]}`);
      }
    }
    assert.ok(reads >= 3, `found only ${reads} store reads: the pattern no longer matches the code`);
  });
});
