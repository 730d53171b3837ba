import * as assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { type RunningEmulator, SAMPLE_IDS, SAMPLE_SECRETS, startEmulator } from '../../src/index.ts';
import { pkce } from '../support/flows.ts';
import { withEmulator } from '../support/harness.ts';
import { WEB_REDIRECT } from '../support/web-sign-in.ts';
import { expectError } from './entra-errors.ts';
import { autoCode, PUBLIC_REDIRECT, refresh, TIMEOUT, token, tokensOf } from './token-calls.ts';
import { request } from './tx-browser.ts';

/** The authorization code grant: unknown, foreign, replayed or expired codes, redirect URI and PKCE mismatches. */

describe('AADSTS errors redeeming an authorization code', TIMEOUT, () => {
  let e: RunningEmulator;
  before(async () => {
    e = await startEmulator({ autoLogin: 'alice' });
  });
  after(() => e.close());

  const web = { client_id: SAMPLE_IDS.webApp, client_secret: SAMPLE_SECRETS.webApp };

  it('AADSTS9002313 for an unknown code; AADSTS70000 for a code issued to another client', async () => {
    await expectError(
      await token(e, {
        grant_type: 'authorization_code',
        code: 'no-such-code',
        redirect_uri: WEB_REDIRECT,
        ...web,
      }),
      { status: 400, error: 'invalid_grant', code: 9002313 },
    );
    const code = await autoCode(e, { clientId: SAMPLE_IDS.webApp, redirectUri: WEB_REDIRECT });
    await expectError(
      await token(e, {
        grant_type: 'authorization_code',
        client_id: SAMPLE_IDS.publicApp,
        code,
        redirect_uri: WEB_REDIRECT,
      }),
      { status: 400, error: 'invalid_grant', code: 70000 },
    );
  });

  it("AADSTS50011: redirect_uri differs from the authorize request's", async () => {
    const code = await autoCode(e, { clientId: SAMPLE_IDS.webApp, redirectUri: WEB_REDIRECT });
    await expectError(
      await token(e, {
        grant_type: 'authorization_code',
        code,
        redirect_uri: 'http://localhost:3000/auth/callback',
        ...web,
      }),
      { status: 400, error: 'invalid_client', code: 50011 },
    );
    // the code was not spent by the failed attempt
    await tokensOf(
      await token(e, { grant_type: 'authorization_code', code, redirect_uri: WEB_REDIRECT, ...web }),
    );
  });

  it('AADSTS900144: code or redirect_uri missing', async () => {
    await expectError(
      await token(e, { grant_type: 'authorization_code', redirect_uri: WEB_REDIRECT, ...web }),
      {
        status: 400,
        error: 'invalid_request',
        code: 900144,
      },
    );
    await expectError(await token(e, { grant_type: 'authorization_code', code: 'abc', ...web }), {
      status: 400,
      error: 'invalid_request',
      code: 900144,
    });
  });

  it('AADSTS50148: wrong code_verifier; AADSTS501481: no code_verifier', async () => {
    const { verifier, challenge } = pkce();
    const code = await autoCode(e, {
      clientId: SAMPLE_IDS.publicApp,
      redirectUri: PUBLIC_REDIRECT,
      challenge,
    });
    const redeem = (extra: Record<string, string>) =>
      token(e, {
        grant_type: 'authorization_code',
        client_id: SAMPLE_IDS.publicApp,
        code,
        redirect_uri: PUBLIC_REDIRECT,
        ...extra,
      });
    await expectError(await redeem({ code_verifier: pkce().verifier }), {
      status: 400,
      error: 'invalid_grant',
      code: 50148,
    });
    await expectError(await redeem({}), { status: 400, error: 'invalid_grant', code: 501481 });
    await tokensOf(await redeem({ code_verifier: verifier }));
  });

  it('AADSTS54005: a replayed code fails and revokes the refresh and access tokens it issued', async () => {
    const code = await autoCode(e, { clientId: SAMPLE_IDS.webApp, redirectUri: WEB_REDIRECT });
    const first = await tokensOf(
      await token(e, { grant_type: 'authorization_code', code, redirect_uri: WEB_REDIRECT, ...web }),
    );
    const me = () =>
      request(`${e.url}/v1.0/me`, { headers: { authorization: `Bearer ${String(first.access_token)}` } });
    assert.equal((await me()).status, 200);
    await expectError(
      await token(e, { grant_type: 'authorization_code', code, redirect_uri: WEB_REDIRECT, ...web }),
      { status: 400, error: 'invalid_grant', code: 54005 },
    );
    await expectError(await refresh(e, first.refresh_token), {
      status: 400,
      error: 'invalid_grant',
      code: 50173,
      suberror: 'bad_token',
    });
    const after = await me();
    assert.equal(after.status, 401);
    const body = (await after.json()) as { error: { code: string } };
    assert.equal(body.error.code, 'InvalidAuthenticationToken');
  });

  it('AADSTS70008: expired code', async () => {
    await withEmulator({ autoLogin: 'alice', settings: { codeLifetime: 1 } }, async (short) => {
      const code = await autoCode(short, { clientId: SAMPLE_IDS.webApp, redirectUri: WEB_REDIRECT });
      await new Promise((r) => setTimeout(r, 1100));
      await expectError(
        await token(short, { grant_type: 'authorization_code', code, redirect_uri: WEB_REDIRECT, ...web }),
        { status: 400, error: 'invalid_grant', code: 70008 },
      );
    });
  });
});
