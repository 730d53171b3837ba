// S185: every endpoint that names the client app in its request refuses alike: an unregistered client id with
// AADSTS700016 (echoing at most 100 characters of it) and a disabled app with AADSTS7000112.
import * as assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { type RunningEmulator, SAMPLE_IDS, SAMPLE_SECRETS, startEmulator } from '../src/index.ts';
import { authorizeUrl, pkce } from './support/flows.ts';

const T = SAMPLE_IDS.contoso;
const WEB_REDIRECT = 'http://127.0.0.1:3000/auth/callback';
const LONG_ID = 'x'.repeat(300);

/** How each endpoint is asked for an app: the request it sends for `clientId`. */
const ENDPOINTS: {
  name: string;
  app: string;
  send: (e: RunningEmulator, clientId: string) => Promise<Response>;
}[] = [
  {
    name: 'authorize',
    app: SAMPLE_IDS.webApp,
    send: (e, clientId) =>
      get(
        authorizeUrl(e.url, T, {
          client_id: clientId,
          response_type: 'code',
          redirect_uri: WEB_REDIRECT,
          scope: 'openid',
          code_challenge: pkce().challenge,
          code_challenge_method: 'S256',
        }),
      ),
  },
  {
    name: 'devicecode',
    app: SAMPLE_IDS.publicApp,
    send: (e, clientId) =>
      post(`${e.url}/${T}/oauth2/v2.0/devicecode`, { client_id: clientId, scope: 'openid' }),
  },
  {
    name: 'token',
    app: SAMPLE_IDS.daemonApp,
    send: (e, clientId) =>
      post(`${e.url}/${T}/oauth2/v2.0/token`, {
        grant_type: 'client_credentials',
        client_id: clientId,
        client_secret: SAMPLE_SECRETS.daemonApp,
        scope: 'https://graph.microsoft.com/.default',
      }),
  },
  {
    name: 'introspect',
    app: SAMPLE_IDS.daemonApp,
    send: (e, clientId) =>
      post(`${e.url}/${T}/oauth2/v2.0/introspect`, {
        client_id: clientId,
        client_secret: SAMPLE_SECRETS.daemonApp,
        token: 'not-a-token',
      }),
  },
];

function get(url: URL): Promise<Response> {
  return fetch(url, { redirect: 'manual', signal: AbortSignal.timeout(10_000) });
}

function post(url: string, fields: Record<string, string>): Promise<Response> {
  return fetch(url, {
    method: 'POST',
    body: new URLSearchParams(fields),
    redirect: 'manual',
    signal: AbortSignal.timeout(10_000),
  });
}

describe('S185 the client app a request names', { timeout: 30_000 }, () => {
  let e: RunningEmulator;
  before(async () => {
    e = await startEmulator({ autoLogin: 'alice' });
  });
  after(() => e.close());

  for (const endpoint of ENDPOINTS) {
    it(`S185 ${endpoint.name}: an unknown client id → AADSTS700016 echoing at most 100 characters of it`, async () => {
      const res = await endpoint.send(e, LONG_ID);
      const text = await res.text();
      assert.equal(res.status, 400, text.slice(0, 300));
      assert.match(text, /AADSTS700016/);
      assert.ok(text.includes('x'.repeat(100)), 'the client id is echoed');
      assert.ok(!text.includes('x'.repeat(101)), 'no more than 100 characters of the client id are echoed');
    });

    it(`S185 ${endpoint.name}: a disabled app → AADSTS7000112`, async () => {
      e.setScenarios({ app: endpoint.app }, { disabled: true });
      try {
        const res = await endpoint.send(e, endpoint.app);
        const text = await res.text();
        assert.match(text, /AADSTS7000112/, text.slice(0, 300));
      } finally {
        e.setScenarios({ app: endpoint.app }, {});
      }
    });
  }
});
