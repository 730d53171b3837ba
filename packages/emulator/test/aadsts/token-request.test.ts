import * as assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { after, before, describe, it } from 'node:test';
import { type RunningEmulator, SAMPLE_IDS, SAMPLE_SECRETS, startEmulator } from '../../src/index.ts';
import { authorizeUrl } from '../support/flows.ts';
import { WEB_REDIRECT } from '../support/web-sign-in.ts';
import { expectError, queryParams } from './entra-errors.ts';
import { TIMEOUT, token, tokenErrorTests, tokensOf, tokenUrl } from './token-calls.ts';
import { post, request } from './tx-browser.ts';

/** Token endpoint errors about the request itself: method, body, grant type, tenant, scope (client credentials). */

describe('AADSTS errors at the token endpoint: the request itself', TIMEOUT, () => {
  let e: RunningEmulator;
  before(async () => {
    e = await startEmulator({ autoLogin: 'alice' });
  });
  after(() => e.close());

  const daemon = { client_id: SAMPLE_IDS.daemonApp, client_secret: SAMPLE_SECRETS.daemonApp };

  it('AADSTS900561: GET on the token endpoint', async () => {
    const res = await request(`${tokenUrl(e)}?grant_type=client_credentials`);
    await expectError(res, { status: 400, error: 'invalid_request', code: 900561 });
  });

  it('AADSTS900144: missing grant_type; parameters in the query string or a JSON body are not read', async () => {
    const body = await expectError(await token(e, { client_id: SAMPLE_IDS.publicApp }), {
      status: 400,
      error: 'invalid_request',
      code: 900144,
    });
    assert.match(String(body.error_description), /'grant_type'/);
    const query = new URLSearchParams({
      grant_type: 'client_credentials',
      scope: 'https://graph.microsoft.com/.default',
      ...daemon,
    });
    const inQuery = await request(`${tokenUrl(e)}?${query}`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: '',
    });
    await expectError(inQuery, { status: 400, error: 'invalid_request', code: 900144 });
    const asJson = await request(tokenUrl(e), {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify(Object.fromEntries(query)),
    });
    await expectError(asJson, { status: 400, error: 'invalid_request', code: 900144 });
    // the same parameters in a form body work
    await tokensOf(await post(tokenUrl(e), Object.fromEntries(query)));
  });

  tokenErrorTests(
    () => e,
    [
      {
        name: 'AADSTS70003: unsupported grant type',
        requests: ['implicit', 'urn:example:nope'].map((grant) => ({
          params: { grant_type: grant, client_id: SAMPLE_IDS.publicApp },
        })),
        expected: { status: 400, error: 'unsupported_grant_type', code: 70003 },
      },
      {
        name: 'AADSTS9001023: client credentials on /common',
        requests: [
          {
            params: {
              grant_type: 'client_credentials',
              client_id: SAMPLE_IDS.webApp,
              client_secret: SAMPLE_SECRETS.webApp,
              scope: 'https://graph.microsoft.com/.default',
            },
            tenant: 'common',
          },
        ],
        expected: { status: 400, error: 'invalid_request', code: 9001023 },
      },
      {
        name: 'AADSTS70011: client credentials without /.default, or with several scopes',
        requests: [
          'https://graph.microsoft.com/User.Read.All',
          'https://graph.microsoft.com/.default https://outlook.office365.com/.default',
        ].map((scope) => ({ params: { grant_type: 'client_credentials', scope, ...daemon } })),
        expected: { status: 400, error: 'invalid_scope', code: 70011 },
      },
      {
        name: 'AADSTS500011: unknown resource',
        requests: [
          {
            params: {
              grant_type: 'client_credentials',
              scope: 'https://nosuch.example.com/.default',
              ...daemon,
            },
          },
        ],
        expected: { status: 400, error: 'invalid_resource', code: 500011 },
      },
    ],
  );

  it('AADSTS90002: unknown tenant (token endpoint and discovery)', async () => {
    await expectError(
      await token(
        e,
        { grant_type: 'client_credentials', scope: 'https://graph.microsoft.com/.default', ...daemon },
        'nosuch.example.com',
      ),
      { status: 400, error: 'invalid_request', code: 90002 },
    );
    await expectError(await request(`${e.url}/${randomUUID()}/v2.0/.well-known/openid-configuration`), {
      status: 400,
      error: 'invalid_request',
      code: 90002,
    });
  });

  it('AADSTS50194: single-tenant app through /common', async () => {
    const single = e.addApp({
      name: 'Single-tenant web app',
      type: 'web',
      signInAudience: 'AzureADMyOrg',
      secret: 'single-tenant-secret-1',
      redirectUris: [WEB_REDIRECT],
    });
    const res = await request(
      authorizeUrl(e.url, 'common', {
        client_id: single.clientId,
        response_type: 'code',
        redirect_uri: WEB_REDIRECT,
        scope: 'openid',
        state: 'st',
      }),
    );
    const back = queryParams(res, WEB_REDIRECT);
    assert.equal(back.get('error'), 'invalid_request');
    assert.match(back.get('error_description') ?? '', /^AADSTS50194:/);
    assert.equal(back.get('state'), 'st');
    await expectError(
      await token(
        e,
        { grant_type: 'client_credentials', scope: 'https://graph.microsoft.com/.default', ...daemon },
        'common',
      ),
      { status: 400, error: 'invalid_request', code: 50194 },
    );
  });
});
