/**
 * Revocation is durable (S157) and covers the client app (S158), one auto-login emulator for the file whose
 * store of issued access tokens is tiny (the test-only `accessTokenStoreSize`), so that a token's record is
 * evicted after a few requests instead of 100,000.
 */
import * as assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { type RunningEmulator, SAMPLE_IDS, SAMPLE_SECRETS, startEmulator } from '../src/index.ts';
import { createState } from '../src/state/state.ts';
import { RevocationStore } from '../src/state/revocation-store.ts';
import { authorizeAuto, authorizeUrl, pkce, tokenRequest } from './support/flows.ts';
import { refreshWeb } from './support/web-sign-in.ts';

const T = SAMPLE_IDS.contoso;
const GRAPH = 'https://graph.microsoft.com';
const CP1 = JSON.stringify({ access_token: { xms_cc: { values: ['cp1'] } } });
const WEB_REDIRECT = 'http://127.0.0.1:3000/auth/callback';
const STORE_SIZE = 3;

let e: RunningEmulator;

before(async () => {
  e = await startEmulator({ autoLogin: 'alice', settings: { accessTokenStoreSize: STORE_SIZE } });
});

after(async () => {
  await e?.close();
});

async function webCode(): Promise<{ code: string; verifier: string }> {
  const { verifier, challenge } = pkce();
  const { params } = await authorizeAuto(
    authorizeUrl(e.url, T, {
      client_id: SAMPLE_IDS.webApp,
      response_type: 'code',
      redirect_uri: WEB_REDIRECT,
      scope: `openid offline_access ${GRAPH}/User.Read`,
      code_challenge: challenge,
      code_challenge_method: 'S256',
    }),
  );
  const code = params.get('code');
  assert.ok(code, params.get('error_description') ?? 'a code');
  return { code, verifier };
}

function redeem(c: { code: string; verifier: string }) {
  return tokenRequest(e.url, T, {
    grant_type: 'authorization_code',
    client_id: SAMPLE_IDS.webApp,
    client_secret: SAMPLE_SECRETS.webApp,
    code: c.code,
    code_verifier: c.verifier,
    redirect_uri: WEB_REDIRECT,
    claims: CP1,
  });
}

function appToken(claims?: string) {
  return tokenRequest(e.url, T, {
    grant_type: 'client_credentials',
    client_id: SAMPLE_IDS.daemonApp,
    client_secret: SAMPLE_SECRETS.daemonApp,
    scope: `${GRAPH}/.default`,
    ...(claims ? { claims } : {}),
  });
}

function graph(path: string, token: unknown) {
  return fetch(`${e.url}${path}`, { headers: { authorization: `Bearer ${String(token)}` } });
}

/** Issues more app-only tokens than the store of issued tokens holds: every older record is evicted. */
async function evictIssuedTokenRecords(): Promise<void> {
  for (let i = 0; i < STORE_SIZE + 2; i++) assert.equal((await appToken()).status, 200);
}

describe('S158 a disabled client app: its tokens are refused at Graph, app-only and delegated', () => {
  it('S158 a disabled app loses its app-only CAE token and its delegated token (CAE: a claims challenge)', async () => {
    const app = await appToken(CP1);
    assert.equal(app.status, 200, JSON.stringify(app.body));
    const delegated = await redeem(await webCode());
    assert.equal(delegated.status, 200, JSON.stringify(delegated.body));
    assert.equal((await graph('/v1.0/users', app.body.access_token)).status, 200);
    assert.equal((await graph('/v1.0/me', delegated.body.access_token)).status, 200);
    e.setScenarios({ app: SAMPLE_IDS.daemonApp }, { disabled: true });
    e.setScenarios({ app: SAMPLE_IDS.webApp }, { disabled: true });
    try {
      assert.equal((await appToken()).body.error_codes?.toString(), '7000112');
      const refused = await graph('/v1.0/users', app.body.access_token);
      assert.equal(refused.status, 401);
      // Entra's CAE for workload identities: a disabled service principal's token gets a claims challenge.
      assert.match(refused.headers.get('www-authenticate') ?? '', /error="insufficient_claims"/);
      assert.equal((await graph('/v1.0/me', delegated.body.access_token)).status, 401);
    } finally {
      e.setScenarios({ app: SAMPLE_IDS.daemonApp }, {});
      e.setScenarios({ app: SAMPLE_IDS.webApp }, {});
    }
    assert.equal((await graph('/v1.0/users', app.body.access_token)).status, 200, 'enabled again');
  });
});

describe('S157 revocation does not depend on the bounded store of issued tokens', () => {
  it('S157 a grant revoked by a code replay stays revoked after its token records are evicted', async () => {
    const c = await webCode();
    const first = await redeem(c);
    assert.equal(first.status, 200, JSON.stringify(first.body));
    assert.equal((await graph('/v1.0/me', first.body.access_token)).status, 200);
    const replay = await redeem(c);
    assert.deepEqual(replay.body.error_codes, [54005]);
    assert.equal((await graph('/v1.0/me', first.body.access_token)).status, 401);
    await evictIssuedTokenRecords();
    assert.equal((await graph('/v1.0/me', first.body.access_token)).status, 401, 'still refused');
    const refresh = await refreshWeb(e, first.body.refresh_token);
    assert.deepEqual(refresh.body.error_codes, [50173]);
  });

  it("S157 an admin's revocation of a user stays in force after the user's token records are evicted", async () => {
    const token = await redeem(await webCode());
    assert.equal((await graph('/v1.0/me', token.body.access_token)).status, 200);
    assert.ok(e.revokeUserGrants('alice') >= 1);
    await evictIssuedTokenRecords();
    assert.equal((await graph('/v1.0/me', token.body.access_token)).status, 401);
  });

  it('S157 a full revocation store widens the denial to every key instead of forgetting one', () => {
    const s = new RevocationStore(2);
    s.revoke('a', 1_000, Date.now() + 60_000);
    s.revoke('b', 2_000, Date.now() + 60_000);
    s.revoke('c', 3_000, Date.now() + 60_000);
    assert.equal(s.size, 2);
    assert.equal(s.revokedAt('a'), 1_000, "a's revocation survives as the floor");
    assert.equal(s.revokedAt('someone else'), 1_000, 'the floor applies to every key');
    assert.equal(s.revokedAt('c'), 3_000);
    s.sweep(Date.now() + 120_000);
    assert.equal(s.revokedAt('a'), undefined, 'the floor ends when the entry would have');
  });

  it('S157 every revocation store of the state is a RevocationStore (deny data never evicted silently)', () => {
    const revocationStores = Object.entries(createState()).filter(([name]) => /^revoked/.test(name));
    assert.ok(revocationStores.length >= 3);
    for (const [name, store] of revocationStores)
      assert.ok(store instanceof RevocationStore, `${name} is a RevocationStore`);
  });
});
