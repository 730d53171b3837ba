import * as assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { type RunningEmulator, SAMPLE_IDS, SAMPLE_SECRETS, startEmulator } from '../../src/index.ts';
import { type Json } from '../support/web-sign-in.ts';
import { type Expected, expectError } from './entra-errors.ts';
import { refresh, type Scenarios, TIMEOUT, token, tokensOf, webTokens } from './token-calls.ts';
import { request } from './tx-browser.ts';

/** The refresh token grant: unknown or foreign tokens, the scenarios that refuse a refresh, revoked grants. */

describe('AADSTS errors redeeming a refresh token', TIMEOUT, () => {
  let e: RunningEmulator;
  before(async () => {
    e = await startEmulator({ autoLogin: 'alice' });
  });
  after(() => e.close());

  /** Fresh tokens, then the scenario switched on for alice, then a refresh; scenarios are cleared after. */
  async function refreshUnder(scenarios: Scenarios): Promise<Response> {
    const t = await webTokens(e);
    e.setScenarios({ user: 'alice' }, scenarios);
    try {
      return await refresh(e, t.refresh_token);
    } finally {
      e.setScenarios({ user: 'alice' }, {});
    }
  }

  it('refreshes normally without a scenario (baseline)', async () => {
    const t = await webTokens(e);
    const again = await tokensOf(await refresh(e, t.refresh_token));
    assert.equal(typeof again.refresh_token, 'string');
  });

  it('AADSTS9002313: unknown refresh token; AADSTS70000: refresh token of another client', async () => {
    await expectError(await refresh(e, 'no-such-refresh-token'), {
      status: 400,
      error: 'invalid_grant',
      code: 9002313,
    });
    const t = await webTokens(e);
    await expectError(
      await token(e, {
        grant_type: 'refresh_token',
        client_id: SAMPLE_IDS.publicApp,
        refresh_token: String(t.refresh_token),
      }),
      { status: 400, error: 'invalid_grant', code: 70000 },
    );
  });

  /** A refresh under one scenario for alice, and the error Entra answers with. */
  const scenarioCases: {
    name: string;
    scenarios: Scenarios;
    expected: Expected;
    check?: (body: Json) => void;
  }[] = [
    {
      name: 'AADSTS700082: refresh token expired by inactivity (scenario refreshTokenExpired)',
      scenarios: { refreshTokenExpired: true },
      expected: { status: 400, error: 'invalid_grant', code: 700082, suberror: 'bad_token' },
    },
    {
      name: 'AADSTS50173: grant revoked (scenario grantRevoked)',
      scenarios: { grantRevoked: true },
      expected: { status: 400, error: 'invalid_grant', code: 50173, suberror: 'bad_token' },
    },
    {
      name: 'AADSTS65001: consent required (scenario consentRequired) → suberror consent_required',
      scenarios: { consentRequired: true },
      expected: { status: 400, error: 'invalid_grant', code: 65001, suberror: 'consent_required' },
    },
    {
      name: 'AADSTS50076: MFA required (scenario mfaRequired) → suberror basic_action',
      scenarios: { mfaRequired: true },
      expected: { status: 400, error: 'invalid_grant', code: 50076, suberror: 'basic_action' },
      check: (body) => assert.match(String(body.error_description), /https:\/\/graph\.microsoft\.com/),
    },
    {
      name: 'AADSTS50057: disabled user',
      scenarios: { disabled: true },
      expected: { status: 400, error: 'invalid_grant', code: 50057 },
    },
  ];
  for (const c of scenarioCases) {
    it(c.name, async () => {
      const body = await expectError(await refreshUnder(c.scenarios), c.expected);
      c.check?.(body);
    });
  }

  it('AADSTS50173: grant revoked by revokeUserGrants, including the access token', async () => {
    const t = await webTokens(e);
    assert.ok(e.revokeUserGrants('alice') >= 1);
    await expectError(await refresh(e, t.refresh_token), {
      status: 400,
      error: 'invalid_grant',
      code: 50173,
      suberror: 'bad_token',
    });
    const me = await request(`${e.url}/v1.0/me`, {
      headers: { authorization: `Bearer ${String(t.access_token)}` },
    });
    assert.equal(me.status, 401);
    // a new sign-in gets a new, working grant
    const fresh = await webTokens(e);
    await tokensOf(await refresh(e, fresh.refresh_token));
  });

  it('AADSTS900144: refresh_token missing', async () => {
    await expectError(
      await token(e, {
        grant_type: 'refresh_token',
        client_id: SAMPLE_IDS.webApp,
        client_secret: SAMPLE_SECRETS.webApp,
      }),
      { status: 400, error: 'invalid_request', code: 900144 },
    );
  });

  it('AADSTS70011 / 500011 on refresh with a scope that does not exist', async () => {
    const t = await webTokens(e);
    await expectError(
      await token(e, {
        grant_type: 'refresh_token',
        client_id: SAMPLE_IDS.webApp,
        client_secret: SAMPLE_SECRETS.webApp,
        refresh_token: String(t.refresh_token),
        scope: 'https://graph.microsoft.com/No.Such.Scope',
      }),
      { status: 400, error: 'invalid_scope', code: 70011 },
    );
    await expectError(
      await token(e, {
        grant_type: 'refresh_token',
        client_id: SAMPLE_IDS.webApp,
        client_secret: SAMPLE_SECRETS.webApp,
        refresh_token: String(t.refresh_token),
        scope: 'https://nosuch.example.com/read',
      }),
      { status: 400, error: 'invalid_resource', code: 500011 },
    );
  });
});
