import * as assert from 'node:assert/strict';
import { createPrivateKey, randomUUID } from 'node:crypto';
import { describe, it } from 'node:test';
import { SignJWT } from 'jose';
import { createSelfSignedKey, SAMPLE_IDS, thumbprints } from '../src/index.ts';
import { authorizeUrl, claimsOf, getManual, pkce, postForm, tokenRequest } from './support/flows.ts';
import { withEmulator } from './support/harness.ts';
import { T, type Json, aadsts, redeemWeb, redirectParams, webAuthorize } from './support/web-sign-in.ts';

/*
 * Authorize and token request parameters, provoked over HTTP against a real emulator: response_type=id_token
 * returns no code, no PKCE downgrade at code redemption, bounded state and nonce, and the client assertion
 * audiences /introspect accepts.
 */

const TIMEOUT = { timeout: 30_000 };

describe('response_type=id_token returns no code', TIMEOUT, () => {
  it('answers with the ID token only (implicit); refuses it for an app without ID token issuance', async () => {
    await withEmulator({ autoLogin: 'alice' }, async (e) => {
      const res = await getManual(
        webAuthorize(e, { response_type: 'id_token', scope: 'openid profile', nonce: 'n-3', state: 's-3' }),
      );
      assert.ok(new URL(res.headers.get('location') ?? '').hash, 'in the fragment');
      const p = redirectParams(res);
      assert.equal(p.get('code'), null, 'no code the client did not ask for');
      assert.equal(p.get('state'), 's-3');
      const claims = claimsOf(p.get('id_token'));
      assert.equal(claims.aud, SAMPLE_IDS.webApp);
      assert.equal(claims.nonce, 'n-3');
      assert.equal(claims.c_hash, undefined);
      assert.deepEqual([...p.keys()].sort(), ['id_token', 'session_state', 'state']);

      const publicApp = await getManual(
        authorizeUrl(e.url, T, {
          client_id: SAMPLE_IDS.publicApp,
          response_type: 'id_token',
          redirect_uri: 'http://127.0.0.1:45999/',
          scope: 'openid',
          nonce: 'n',
        }),
      );
      const err = redirectParams(publicApp, 'http://127.0.0.1:45999/');
      assert.equal(err.get('code'), null);
      assert.equal(err.get('id_token'), null);
      assert.equal(aadsts(err), 700054);
    });
  });
});

describe('a code_verifier for a code issued without a code_challenge', TIMEOUT, () => {
  it('is refused with invalid_grant AADSTS50148 (PKCE downgrade); the code still works without one', async () => {
    await withEmulator({ autoLogin: 'alice' }, async (e) => {
      const code = redirectParams(await getManual(webAuthorize(e))).get('code')!;
      for (const verifier of [pkce().verifier, '']) {
        const refused = await redeemWeb(e, code, { code_verifier: verifier });
        assert.equal(refused.status, 400);
        assert.equal(refused.body.error, 'invalid_grant');
        assert.deepEqual(refused.body.error_codes, [50148]);
        assert.match(String(refused.body.error_description), /had no code_challenge/);
      }
      const ok = await redeemWeb(e, code);
      assert.equal(ok.status, 200);
    });
  });
});

describe('state and nonce are bounded', TIMEOUT, () => {
  it('refuses a state or nonce over 2048 characters with AADSTS9002313, without echoing the state', async () => {
    await withEmulator({ autoLogin: 'alice' }, async (e) => {
      const longState = redirectParams(await getManual(webAuthorize(e, { state: 's'.repeat(2049) })));
      assert.equal(longState.get('code'), null);
      assert.equal(longState.get('error'), 'invalid_request');
      assert.equal(aadsts(longState), 9002313);
      assert.match(longState.get('error_description') ?? '', /'state' parameter is too long \(2049/);
      assert.equal(longState.get('state'), null, 'the oversized state is not sent back');

      const longNonce = redirectParams(
        await getManual(webAuthorize(e, { state: 'st', nonce: 'n'.repeat(2049) })),
      );
      assert.equal(aadsts(longNonce), 9002313);
      assert.match(longNonce.get('error_description') ?? '', /'nonce' parameter is too long/);
      assert.equal(longNonce.get('state'), 'st');

      // at the limit both are accepted whole (not cut short)
      const state = 's'.repeat(2048);
      const nonce = 'n'.repeat(2048);
      const ok = redirectParams(await getManual(webAuthorize(e, { state, nonce })));
      assert.equal(ok.get('state'), state);
      const tokens = await redeemWeb(e, ok.get('code')!);
      assert.equal(claimsOf(tokens.body.id_token).nonce, nonce);
    });
  });
});

describe('private_key_jwt at /introspect accepts the audiences the token endpoint accepts', TIMEOUT, () => {
  it('token endpoint URL or issuer: accepted at both endpoints; anything else: AADSTS700027', async () => {
    await withEmulator({ autoLogin: 'alice' }, async (e) => {
      const key = await createSelfSignedKey('introspect-assertion');
      const app = e.addApp({
        name: 'Mail server',
        type: 'daemon',
        certificates: [key.certificatePem],
        applicationPermissions: { 'https://graph.microsoft.com': ['User.Read.All'] },
      });
      const privateKey = createPrivateKey(key.privateKeyPem);
      const x5t = thumbprints(key.certificatePem).x5t;
      const assertion = (aud: string) => {
        const now = Math.floor(Date.now() / 1000);
        return new SignJWT({ jti: randomUUID() })
          .setProtectedHeader({ alg: 'RS256', typ: 'JWT', x5t })
          .setIssuer(app.clientId)
          .setSubject(app.clientId)
          .setAudience(aud)
          .setIssuedAt(now)
          .setNotBefore(now)
          .setExpirationTime(now + 300)
          .sign(privateKey);
      };
      const token = (await redeemWeb(e, redirectParams(await getManual(webAuthorize(e))).get('code')!)).body
        .access_token;
      const introspect = async (aud: string) =>
        postForm(`${e.url}/${T}/oauth2/v2.0/introspect`, {
          client_id: app.clientId,
          client_assertion_type: 'urn:ietf:params:oauth:client-assertion-type:jwt-bearer',
          client_assertion: await assertion(aud),
          token: String(token),
        });
      const clientCredentials = async (aud: string) =>
        tokenRequest(e.url, T, {
          grant_type: 'client_credentials',
          client_id: app.clientId,
          client_assertion_type: 'urn:ietf:params:oauth:client-assertion-type:jwt-bearer',
          client_assertion: await assertion(aud),
          scope: 'https://graph.microsoft.com/.default',
        });
      const accepted = [
        `${e.url}/${T}/oauth2/v2.0/token`,
        `${e.url}/contoso.onmicrosoft.com/oauth2/v2.0/token`,
        `${e.url}/${T}/v2.0`,
      ];
      for (const aud of accepted) {
        const res = await introspect(aud);
        assert.equal(res.status, 200, aud);
        assert.equal(((await res.json()) as Json).active, true, aud);
        assert.equal((await clientCredentials(aud)).status, 200, aud);
      }
      for (const aud of [`${e.url}/${SAMPLE_IDS.fabrikam}/oauth2/v2.0/token`, 'https://evil.example/token']) {
        const res = await introspect(aud);
        assert.equal(res.status, 401, aud);
        const body = (await res.json()) as Json;
        assert.equal(body.error, 'invalid_client');
        assert.equal(aadsts(body), 700027);
        const cc = await clientCredentials(aud);
        assert.equal(cc.status, 401);
        assert.equal(aadsts(cc.body), 700027);
      }
    });
  });
});
