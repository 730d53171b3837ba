import * as assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { type RunningEmulator, SAMPLE_IDS, startEmulator } from '../src/index.ts';
import { authorizeAuto, authorizeUrl, claimsOf, pkce, tokenRequest } from './support/flows.ts';

/*
 * A user signs in only where they belong: an authority naming a tenant (by id or by domain) refuses a user whose
 * home tenant is another one, with Entra's AADSTS50020 (the sample has no guests: Carol of Fabrikam belongs to
 * Fabrikam alone). `organizations` and `common` take the user to their own tenant. The emulator's auto-login
 * stands in for the user at Entra's sign-in page, so it is refused as the page refuses them.
 */

const REDIRECT = 'http://127.0.0.1:45999/';
const DEVICE_CODE = 'urn:ietf:params:oauth:grant-type:device_code';
const TIMEOUT = { timeout: 30_000 };

describe('a user of another tenant at a tenant-specific authority (auto-login)', TIMEOUT, () => {
  let e: RunningEmulator;
  const lines: string[] = [];
  before(async () => {
    e = await startEmulator({ autoLogin: 'carol', log: (line) => lines.push(line) });
  });
  after(() => e.close());

  function authorize(tenant: string, state: string) {
    return authorizeUrl(e.url, tenant, {
      client_id: SAMPLE_IDS.publicApp,
      response_type: 'code',
      redirect_uri: REDIRECT,
      scope: 'openid profile offline_access',
      code_challenge: pkce().challenge,
      code_challenge_method: 'S256',
      state,
    });
  }

  for (const tenant of [SAMPLE_IDS.contoso, 'contoso.onmicrosoft.com']) {
    it(`S205: authorize at ${tenant} sends AADSTS50020 (invalid_request) back to the redirect URI, no code`, async () => {
      const { status, params } = await authorizeAuto(authorize(tenant, 'st-foreign'));
      assert.equal(status, 302);
      assert.equal(params.get('error'), 'invalid_request');
      assert.equal(params.get('code'), null);
      assert.equal(params.get('state'), 'st-foreign');
      assert.match(params.get('error_description') ?? '', /^AADSTS50020: .*carol@fabrikam\.onmicrosoft\.com/);
    });
  }

  it('S205: a device code at another tenant is not approved for the auto-login user: polling gets no tokens', async () => {
    const dc = await fetch(`${e.url}/${SAMPLE_IDS.contoso}/oauth2/v2.0/devicecode`, {
      method: 'POST',
      body: new URLSearchParams({ client_id: SAMPLE_IDS.publicApp, scope: 'openid profile' }),
      signal: AbortSignal.timeout(10_000),
    });
    assert.equal(dc.status, 200);
    const { device_code } = (await dc.json()) as { device_code: string };
    const poll = await tokenRequest(e.url, SAMPLE_IDS.contoso, {
      grant_type: DEVICE_CODE,
      client_id: SAMPLE_IDS.publicApp,
      device_code,
    });
    // As at Entra, where the device page refuses the user: the code stays pending, and the refusal is shown
    // where the sign-in happened (the emulator's log stands in for the browser).
    assert.equal(poll.status, 400);
    assert.equal(poll.body.error, 'authorization_pending');
    assert.equal(poll.body.id_token, undefined);
    assert.equal(poll.body.access_token, undefined);
    assert.ok(
      lines.some((l) => /AADSTS50020/.test(l) && l.includes('carol@fabrikam.onmicrosoft.com')),
      `the log names the refusal: ${JSON.stringify(lines)}`,
    );
  });

  it('organizations is not affected: the user gets tokens of their own tenant (issuer and tid)', async () => {
    const { verifier, challenge } = pkce();
    const { params } = await authorizeAuto(
      authorizeUrl(e.url, 'organizations', {
        client_id: SAMPLE_IDS.publicApp,
        response_type: 'code',
        redirect_uri: REDIRECT,
        scope: 'openid profile',
        code_challenge: challenge,
        code_challenge_method: 'S256',
      }),
    );
    const code = params.get('code');
    assert.ok(code, `a code (error: ${params.get('error') ?? 'none'})`);
    const res = await tokenRequest(e.url, 'organizations', {
      grant_type: 'authorization_code',
      client_id: SAMPLE_IDS.publicApp,
      code,
      redirect_uri: REDIRECT,
      code_verifier: verifier,
    });
    assert.equal(res.status, 200);
    const claims = claimsOf(res.body.id_token);
    assert.equal(claims.tid, SAMPLE_IDS.fabrikam);
    assert.equal(claims.iss, `${e.url}/${SAMPLE_IDS.fabrikam}/v2.0`);
  });

  it('a device code at the user’s own tenant is approved as before', async () => {
    const dc = await fetch(`${e.url}/${SAMPLE_IDS.fabrikam}/oauth2/v2.0/devicecode`, {
      method: 'POST',
      body: new URLSearchParams({ client_id: SAMPLE_IDS.publicApp, scope: 'openid profile' }),
      signal: AbortSignal.timeout(10_000),
    });
    const { device_code } = (await dc.json()) as { device_code: string };
    const res = await tokenRequest(e.url, SAMPLE_IDS.fabrikam, {
      grant_type: DEVICE_CODE,
      client_id: SAMPLE_IDS.publicApp,
      device_code,
    });
    assert.equal(res.status, 200, String(res.body.error_description));
    assert.equal(claimsOf(res.body.id_token).tid, SAMPLE_IDS.fabrikam);
  });
});
