/**
 * Continuous access evaluation (CAE) at the protocol level, one emulator for the file: a token request whose
 * `claims` declares the client capability cp1 gets an access token with `xms_cc` and the long CAE lifetime; a
 * claims challenge's `nbf` is honoured; a malformed `claims` is refused; and the emulator's Graph answers a
 * revoked user's CAE token with a claims challenge (401, `error="insufficient_claims"`, base64 `claims`).
 * The whole loop with @azure/identity's clients: azure-identity-cae.test.ts.
 */
import * as assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { type RunningEmulator, SAMPLE_IDS, SAMPLE_SECRETS, startEmulator } from '../src/index.ts';
import { addConsentedPublicApp } from './support/apps.ts';
import { claimsOf, tokenRequest } from './support/flows.ts';

const T = SAMPLE_IDS.contoso;
const GRAPH = 'https://graph.microsoft.com';
const CP1 = JSON.stringify({ access_token: { xms_cc: { values: ['cp1'] } } });
const CAE_LIFETIME = 20 * 3600 + 17;
const PLAIN_LIFETIME = 3599;

let e: RunningEmulator;
let ropcApp: string;

before(async () => {
  e = await startEmulator({ settings: { caeAccessTokenLifetime: CAE_LIFETIME } });
  ropcApp = addConsentedPublicApp(e, { name: 'CAE test automation', tenant: T });
});

after(async () => {
  await e?.close();
});

function password(user: 'alice' | 'bob', extra: Record<string, string> = {}) {
  return tokenRequest(e.url, T, {
    grant_type: 'password',
    client_id: ropcApp,
    username: `${user}@contoso.onmicrosoft.com`,
    password: `${user}-password-1`,
    scope: `${GRAPH}/User.Read offline_access openid`,
    ...extra,
  });
}

function graphMe(token: unknown) {
  return fetch(`${e.url}/v1.0/me`, { headers: { authorization: `Bearer ${String(token)}` } });
}

/** The `Bearer` parameters of a WWW-Authenticate header (all quoted, as Entra and Graph write them). */
function challengeParams(header: string | null): Record<string, string> {
  assert.ok(header, 'a WWW-Authenticate header');
  assert.match(header, /^Bearer /);
  return Object.fromEntries([...header.matchAll(/(\w+)="([^"]*)"/g)].map((m) => [m[1]!, m[2]!]));
}

describe('S140 CAE tokens: a claims request declaring cp1', () => {
  it("S140 a delegated token asked with xms_cc cp1 carries xms_cc and the CAE lifetime; without, today's lifetime", async () => {
    const cae = await password('alice', { claims: CP1 });
    assert.equal(cae.status, 200, JSON.stringify(cae.body));
    const c = claimsOf(cae.body.access_token);
    assert.deepEqual(c.xms_cc, ['cp1']);
    assert.equal(cae.body.expires_in, CAE_LIFETIME);
    assert.equal(Number(c.exp) - Number(c.iat), CAE_LIFETIME);
    const plain = await password('alice');
    assert.equal(plain.status, 200);
    assert.equal(claimsOf(plain.body.access_token).xms_cc, undefined);
    assert.equal(plain.body.expires_in, PLAIN_LIFETIME);
    // the refresh grant declares cp1 too (MSAL sends client capabilities with every token request)
    const refreshed = await tokenRequest(e.url, T, {
      grant_type: 'refresh_token',
      client_id: ropcApp,
      refresh_token: String(plain.body.refresh_token),
      scope: `${GRAPH}/User.Read`,
      claims: CP1,
    });
    assert.equal(refreshed.status, 200, JSON.stringify(refreshed.body));
    assert.deepEqual(claimsOf(refreshed.body.access_token).xms_cc, ['cp1']);
    assert.equal(refreshed.body.expires_in, CAE_LIFETIME);
  });

  it('S140 an app-only Graph token asked with cp1 carries xms_cc; unknown capabilities are left out', async () => {
    const r = await tokenRequest(e.url, T, {
      grant_type: 'client_credentials',
      client_id: SAMPLE_IDS.daemonApp,
      client_secret: SAMPLE_SECRETS.daemonApp,
      scope: `${GRAPH}/.default`,
      claims: JSON.stringify({ access_token: { xms_cc: { values: ['CP1', 'foo'] } } }),
    });
    assert.equal(r.status, 200, JSON.stringify(r.body));
    assert.deepEqual(claimsOf(r.body.access_token).xms_cc, ['cp1']);
  });

  it("S141 a claims challenge's essential nbf yields a token issued at or after that time", async () => {
    const at = Math.floor(Date.now() / 1000);
    const claims = JSON.stringify({
      access_token: { nbf: { essential: true, value: String(at) }, xms_cc: { values: ['cp1'] } },
    });
    const r = await password('alice', { claims });
    assert.equal(r.status, 200, JSON.stringify(r.body));
    const c = claimsOf(r.body.access_token);
    assert.ok(Number(c.iat) >= at && Number(c.nbf) >= at, 'issued at or after the nbf asked for');
  });

  it("S142 a malformed claims parameter is refused with Entra's invalid_request (table of shapes)", async () => {
    const bad = [
      '{not json',
      '[]',
      '"cp1"',
      JSON.stringify({ access_token: 'cp1' }),
      JSON.stringify({ access_token: { xms_cc: { values: 'cp1' } } }),
      JSON.stringify({ access_token: { nbf: { essential: true, value: 'yesterday' } } }),
      'x'.repeat(20_000),
    ];
    for (const claims of bad) {
      const r = await password('bob', { claims });
      assert.equal(r.status, 400, `${claims.slice(0, 40)} → ${r.status}`);
      assert.equal(r.body.error, 'invalid_request');
      assert.match(String(r.body.error_description), /^AADSTS90100: /);
      assert.match(String(r.body.error_description), /claims/);
    }
  });
});

describe("S143 the emulator Graph challenges a revoked user's CAE token", () => {
  it('S143 revoked: a CAE token gets 401 with a claims challenge naming the revocation time; a non-CAE token the plain 401', async () => {
    const cae = await password('bob', { claims: CP1 });
    const plain = await password('bob');
    assert.equal((await graphMe(cae.body.access_token)).status, 200);
    const before = Math.floor(Date.now() / 1000);
    const r = await fetch(`${e.url}/_emulator/api/users/bob/revoke`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: '{}',
    });
    assert.equal(r.status, 200);
    const challenged = await graphMe(cae.body.access_token);
    assert.equal(challenged.status, 401);
    const p = challengeParams(challenged.headers.get('www-authenticate'));
    assert.equal(p.error, 'insufficient_claims');
    assert.equal(p.realm, '');
    assert.equal(p.authorization_uri, 'https://login.microsoftonline.com/common/oauth2/authorize');
    // standard base64, as Graph sends it and @azure/core-rest-pipeline decodes it (atob)
    assert.match(p.claims!, /^[A-Za-z0-9+/]+=*$/);
    const asked = JSON.parse(Buffer.from(p.claims!, 'base64').toString('utf8')) as {
      access_token: { nbf: { essential: boolean; value: string } };
    };
    assert.equal(asked.access_token.nbf.essential, true);
    assert.ok(Number(asked.access_token.nbf.value) >= before);
    const body = (await challenged.json()) as { error: { code: string; message: string } };
    assert.equal(body.error.code, 'InvalidAuthenticationToken');
    assert.match(body.error.message, /TokenIssuedBeforeRevocationTimestamp/);
    // a token without cp1: the 401 Graph has always answered, without a claims challenge
    const refused = await graphMe(plain.body.access_token);
    assert.equal(refused.status, 401);
    assert.equal(challengeParams(refused.headers.get('www-authenticate')).error, undefined);
    // answering the challenge: a new sign-in asking for those claims gets a token Graph accepts
    const merged = JSON.stringify({ access_token: { ...asked.access_token, xms_cc: { values: ['cp1'] } } });
    const again = await password('bob', { claims: merged });
    assert.equal(again.status, 200, JSON.stringify(again.body));
    assert.equal((await graphMe(again.body.access_token)).status, 200);
  });
});
