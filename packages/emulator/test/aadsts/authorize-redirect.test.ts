import * as assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { type EmulatorOptions, type RunningEmulator, SAMPLE_IDS, startEmulator } from '../../src/index.ts';
import { authorizeUrl } from '../support/flows.ts';
import { hiddenTx, withEmulator } from '../support/harness.ts';
import { ALICE, GRAPH_SCOPE, setCookie, T, WEB_REDIRECT } from '../support/web-sign-in.ts';
import { expectRedirectError, queryParams, type RedirectError } from './entra-errors.ts';
import { PUBLIC_REDIRECT, type Scenarios, TIMEOUT } from './token-calls.ts';
import { post, request, webAppAuthorize } from './tx-browser.ts';

/** Authorize errors sent back to the client's trusted redirect URI (query response mode). */

describe('AADSTS errors at the authorize endpoint: sent back to the trusted redirect URI', TIMEOUT, () => {
  /** The web app asks with prompt=none under these options and scenario; the error comes back to it. */
  const silentCases: {
    name: string;
    options: EmulatorOptions;
    scenario?: { target: { user?: string; app?: string }; scenarios: Scenarios };
    expected: RedirectError & { state: string };
  }[] = [
    {
      name: 'AADSTS50058: prompt=none without a session → login_required',
      options: {},
      expected: { error: 'login_required', code: 50058, state: 'st-none' },
    },
    {
      name: 'AADSTS50076: prompt=none for a user who needs MFA → interaction_required',
      options: { autoLogin: 'alice' },
      scenario: { target: { user: 'alice' }, scenarios: { mfaRequired: true } },
      expected: { error: 'interaction_required', code: 50076, state: 'st', suberror: 'basic_action' },
    },
    {
      name: 'S184 AADSTS50076: prompt=none for an app whose scenario requires MFA → interaction_required, as for the user',
      options: { autoLogin: 'alice' },
      scenario: { target: { app: SAMPLE_IDS.webApp }, scenarios: { mfaRequired: true } },
      expected: { error: 'interaction_required', code: 50076, state: 'st', suberror: 'basic_action' },
    },
  ];
  for (const c of silentCases) {
    it(c.name, async () => {
      await withEmulator(c.options, async (e) => {
        if (c.scenario) e.setScenarios(c.scenario.target, c.scenario.scenarios);
        const res = await webAppAuthorize(e, { state: c.expected.state, prompt: 'none' });
        expectRedirectError(res, WEB_REDIRECT, c.expected);
      });
    });
  }

  it('AADSTS65001: prompt=none with a session but no consent → consent_required', async () => {
    await withEmulator({}, async (e) => {
      // alice signs in to the web app and consents: the browser now has an SSO session
      const start = await webAppAuthorize(e);
      assert.equal(start.status, 200);
      const login = await post(`${e.url}/_ui/login`, { tx: hiddenTx(await start.text()), ...ALICE });
      assert.equal(login.status, 200);
      const consentHtml = await login.text();
      assert.match(consentHtml, /Permissions requested/);
      const done = await post(`${e.url}/_ui/consent`, { tx: hiddenTx(consentHtml), decision: 'accept' });
      assert.ok(queryParams(done, WEB_REDIRECT).get('code'));
      const cookie = setCookie(done, 'tokenloop_sso');
      assert.ok(cookie, 'SSO cookie set');

      const silent = (clientId: string, redirectUri: string) =>
        request(
          authorizeUrl(e.url, T, {
            client_id: clientId,
            response_type: 'code',
            redirect_uri: redirectUri,
            scope: GRAPH_SCOPE,
            state: 'st-silent',
            prompt: 'none',
          }),
          { headers: { cookie } },
        );
      // the session works silently where consent exists …
      assert.ok(queryParams(await silent(SAMPLE_IDS.webApp, WEB_REDIRECT), WEB_REDIRECT).get('code'));
      // … and the public app, never consented to, needs the consent page
      expectRedirectError(await silent(SAMPLE_IDS.publicApp, PUBLIC_REDIRECT), PUBLIC_REDIRECT, {
        error: 'consent_required',
        code: 65001,
        state: 'st-silent',
        suberror: 'consent_required',
      });
    });
  });
});

describe(
  'AADSTS errors at the authorize endpoint: bad scope, unknown resource, missing parameter',
  TIMEOUT,
  () => {
    let e: RunningEmulator;
    before(async () => {
      e = await startEmulator({ autoLogin: 'alice' });
    });
    after(() => e.close());

    /** The public app asks with these parameters (over its defaults); the error comes back to it with its state. */
    const cases: { name: string; params: Record<string, string>; expected: RedirectError }[] = [
      {
        name: 'AADSTS70011: a scope the resource does not define → invalid_scope',
        params: { scope: 'openid https://graph.microsoft.com/No.Such.Scope' },
        expected: { error: 'invalid_scope', code: 70011, state: 'st' },
      },
      {
        name: 'AADSTS500011: a scope of an unknown resource → invalid_resource',
        params: { scope: 'openid https://nosuch.example.com/read' },
        expected: { error: 'invalid_resource', code: 500011, state: 'st' },
      },
      {
        name: 'AADSTS900144: no scope → invalid_request',
        params: {},
        expected: { error: 'invalid_request', code: 900144, state: 'st' },
      },
      {
        name: 'AADSTS900144: an empty response_type → invalid_request',
        params: { scope: 'openid', response_type: '' },
        expected: { error: 'invalid_request', code: 900144, state: 'st' },
      },
    ];
    for (const c of cases) {
      it(c.name, async () => {
        const res = await request(
          authorizeUrl(e.url, T, {
            client_id: SAMPLE_IDS.publicApp,
            response_type: 'code',
            redirect_uri: PUBLIC_REDIRECT,
            state: 'st',
            ...c.params,
          }),
        );
        expectRedirectError(res, PUBLIC_REDIRECT, c.expected);
      });
    }
  },
);

describe('AADSTS errors for response types the app may not use', TIMEOUT, () => {
  let e: RunningEmulator;
  before(async () => {
    e = await startEmulator({ autoLogin: 'alice' });
  });
  after(() => e.close());

  const cases: {
    name: string;
    clientId: string;
    redirectUri: string;
    responseType: string;
    expected: RedirectError;
  }[] = [
    {
      name: 'AADSTS700051: response_type=token → unsupported_response_type',
      clientId: SAMPLE_IDS.webApp,
      redirectUri: WEB_REDIRECT,
      responseType: 'token',
      expected: { error: 'unsupported_response_type', code: 700051, state: 'st' },
    },
    {
      name: 'AADSTS700054: response_type=id_token for an app without ID token issuance → invalid_request',
      clientId: SAMPLE_IDS.publicApp,
      redirectUri: PUBLIC_REDIRECT,
      responseType: 'id_token',
      expected: { error: 'invalid_request', code: 700054, state: 'st' },
    },
  ];
  for (const c of cases) {
    it(c.name, async () => {
      const res = await request(
        authorizeUrl(e.url, T, {
          client_id: c.clientId,
          response_type: c.responseType,
          response_mode: 'query',
          redirect_uri: c.redirectUri,
          scope: 'openid profile',
          nonce: 'n-1',
          state: 'st',
        }),
      );
      expectRedirectError(res, c.redirectUri, c.expected);
    });
  }
});
