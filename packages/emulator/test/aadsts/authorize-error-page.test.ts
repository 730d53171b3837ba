import * as assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { after, before, describe, it } from 'node:test';
import { type RunningEmulator, SAMPLE_IDS, startEmulator } from '../../src/index.ts';
import { authorizeUrl } from '../support/flows.ts';
import { GRAPH_SCOPE, T, WEB_REDIRECT } from '../support/web-sign-in.ts';
import { expectErrorPage } from './entra-errors.ts';
import { TIMEOUT } from './token-calls.ts';
import { request } from './tx-browser.ts';

/** Authorize requests whose client or redirect URI cannot be trusted: Entra's error page, never a redirect. */

describe('AADSTS errors at the authorize endpoint: error page, never a redirect', TIMEOUT, () => {
  let e: RunningEmulator;
  before(async () => {
    e = await startEmulator();
  });
  after(() => e.close());

  const base = { response_type: 'code', scope: GRAPH_SCOPE, state: 'st' };
  const web = { ...base, client_id: SAMPLE_IDS.webApp };

  /** One authorize request (or several alike) that must end on Entra's error page with this code. */
  interface ErrorPageCase {
    name: string;
    requests: { params: Record<string, string>; tenant?: string }[];
    code: number;
    error: string;
    /** An app scenario switched on for the case (cleared after). */
    appScenario?: { disabled: boolean };
    check?: (html: string) => void;
  }
  const cases: ErrorPageCase[] = [
    {
      name: 'AADSTS50011: redirect URI not registered for the app',
      requests: [
        'https://evil.example.com/cb',
        'http://127.0.0.1:3000/auth/Callback',
        'http://127.0.0.1:3000/auth/callback?x=1',
      ].map((redirect) => ({ params: { ...web, redirect_uri: redirect } })),
      code: 50011,
      error: 'invalid_client',
      check: (html) =>
        assert.doesNotMatch(
          html,
          /(href|action)="[^"]*(evil\.example\.com|auth\/[Cc]allback)/,
          'no way back',
        ),
    },
    {
      name: 'AADSTS500113: the app has no reply address registered',
      requests: [
        { params: { ...base, client_id: SAMPLE_IDS.daemonApp, redirect_uri: 'https://app.example.com/cb' } },
        { params: { ...base, client_id: SAMPLE_IDS.daemonApp } },
      ],
      code: 500113,
      error: 'invalid_request',
    },
    {
      name: 'AADSTS90102: redirect_uri is not an absolute URI',
      requests: ['/auth/callback', 'not a uri'].map((redirect) => ({
        params: { ...web, redirect_uri: redirect },
      })),
      code: 90102,
      error: 'invalid_request',
    },
    {
      name: 'AADSTS700016: unknown application',
      requests: [{ params: { ...base, client_id: randomUUID(), redirect_uri: WEB_REDIRECT } }],
      code: 700016,
      error: 'unauthorized_client',
    },
    {
      name: 'AADSTS900971: no reply address in the request',
      requests: [{ params: web }],
      code: 900971,
      error: 'invalid_request',
    },
    {
      name: 'AADSTS900144: no client_id',
      requests: [{ params: { ...base, redirect_uri: WEB_REDIRECT } }],
      code: 900144,
      error: 'invalid_request',
    },
    {
      name: 'AADSTS90002: unknown tenant',
      requests: [{ params: { ...web, redirect_uri: WEB_REDIRECT }, tenant: 'nosuch.example.com' }],
      code: 90002,
      error: 'invalid_request',
    },
    {
      name: 'AADSTS7000112: disabled application',
      requests: [{ params: { ...web, redirect_uri: WEB_REDIRECT } }],
      code: 7000112,
      error: 'unauthorized_client',
      appScenario: { disabled: true },
    },
  ];

  for (const c of cases) {
    it(c.name, async () => {
      if (c.appScenario) e.setScenarios({ app: SAMPLE_IDS.webApp }, c.appScenario);
      try {
        for (const { params, tenant } of c.requests) {
          const html = await expectErrorPage(
            await request(authorizeUrl(e.url, tenant ?? T, params)),
            c.code,
            c.error,
          );
          c.check?.(html);
        }
      } finally {
        if (c.appScenario) e.setScenarios({ app: SAMPLE_IDS.webApp }, {});
      }
    });
  }
});
