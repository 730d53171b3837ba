/**
 * The `scope` of token responses, and the `aud` of the tokens, in every grant the token endpoint serves, over
 * plain HTTP (RFC 6749 requests written here, independent of the emulator's code). The rules, as Entra applies
 * them (sources in docs/emulator-fidelity.md):
 * - permissions come back in the form the client asked for them: bare `User.Read` → `User.Read`, fully
 *   qualified → fully qualified, behind the identifier the client used;
 * - for Microsoft Graph, `openid profile email` are named when the client signed in with `openid`; other
 *   resources get no OIDC scopes; `offline_access` is never named;
 * - `RESOURCE/.default` comes back as the consented permissions plus the `.default` itself, fully qualified;
 * - client credentials responses have no `scope`;
 * - a v1 token's `aud` is the App ID URI as the client used it, trailing slash included; only Microsoft Graph's
 *   slash alias means `https://graph.microsoft.com`.
 * A sweep checks that every grant type the token endpoint accepts is covered here.
 */
import * as assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { type RunningEmulator, SAMPLE_IDS, SAMPLE_SECRETS, startEmulator } from '../src/index.ts';
import { authorizeAuto, authorizeUrl, claimsOf, pkce, tokenRequest } from './support/flows.ts';

const T = SAMPLE_IDS.contoso;
const API = `api://${SAMPLE_IDS.apiApp}`;
const ARM = 'https://management.core.windows.net/';
const GRAPH = 'https://graph.microsoft.com';
const OIDC = 'openid profile offline_access';
const ALICE = { username: 'alice@contoso.onmicrosoft.com', password: 'alice-password-1' };
const REDIRECT = 'http://127.0.0.1:1/';

let e: RunningEmulator;
let clientId: string;

before(async () => {
  e = await startEmulator({ autoLogin: 'alice' });
  clientId = e.addApp({
    name: 'Scope fidelity client',
    type: 'public',
    tenant: T,
    redirectUris: ['http://127.0.0.1'],
    delegatedPermissions: {
      [GRAPH]: ['User.Read', 'Mail.Read'],
      'https://outlook.office.com': ['IMAP.AccessAsUser.All'],
      [API]: ['access_as_user'],
      [ARM]: ['user_impersonation'],
    },
    adminConsented: true,
  }).clientId;
});

after(async () => {
  await e?.close();
});

type Body = Record<string, unknown>;

function ok(r: { status: number; body: Body }, what: string): Body {
  assert.equal(r.status, 200, `${what}: ${String(r.body.error_description ?? '')}`);
  return r.body;
}

/** The delegated grants a client signs in with, each as a plain protocol exchange. */
const SIGN_IN: Record<string, (scope: string) => Promise<Body>> = {
  async authorization_code(scope) {
    const { verifier, challenge } = pkce();
    const { params } = await authorizeAuto(
      authorizeUrl(e.url, T, {
        client_id: clientId,
        response_type: 'code',
        redirect_uri: REDIRECT,
        scope,
        code_challenge: challenge,
        code_challenge_method: 'S256',
      }),
    );
    const code = params.get('code');
    assert.ok(code, `a code (${params.get('error_description') ?? ''})`);
    return ok(
      await tokenRequest(e.url, T, {
        grant_type: 'authorization_code',
        client_id: clientId,
        code,
        redirect_uri: REDIRECT,
        code_verifier: verifier,
      }),
      'code redemption',
    );
  },
  async device_code(scope) {
    const res = await fetch(`${e.url}/${T}/oauth2/v2.0/devicecode`, {
      method: 'POST',
      body: new URLSearchParams({ client_id: clientId, scope }),
    });
    const device = (await res.json()) as { device_code: string };
    return ok(
      await tokenRequest(e.url, T, {
        grant_type: 'urn:ietf:params:oauth:grant-type:device_code',
        client_id: clientId,
        device_code: device.device_code,
      }),
      'device code',
    );
  },
  async password(scope) {
    return ok(
      await tokenRequest(e.url, T, { grant_type: 'password', client_id: clientId, scope, ...ALICE }),
      'password grant',
    );
  },
  /** A sign-in by code, then the refresh token redeemed for the same scopes, written the same way. */
  async refresh_token(scope) {
    const first = await SIGN_IN.authorization_code!(scope);
    return ok(
      await tokenRequest(e.url, T, {
        grant_type: 'refresh_token',
        client_id: clientId,
        refresh_token: String(first.refresh_token),
        scope,
      }),
      'refresh',
    );
  },
};

/** How a request is written, what the response must name (as a set) and the token's audience. */
interface Row {
  scope: string;
  named: string[];
  aud: string;
}

const ROWS: Row[] = [
  { scope: `User.Read ${OIDC}`, named: ['User.Read', 'Mail.Read', 'openid', 'profile', 'email'], aud: GRAPH },
  {
    scope: `${GRAPH}/User.Read ${OIDC}`,
    named: [`${GRAPH}/User.Read`, `${GRAPH}/Mail.Read`, 'openid', 'profile', 'email'],
    aud: GRAPH,
  },
  { scope: 'Mail.Read offline_access', named: ['User.Read', 'Mail.Read'], aud: GRAPH },
  {
    scope: `https://outlook.office.com/IMAP.AccessAsUser.All ${OIDC}`,
    named: ['https://outlook.office.com/IMAP.AccessAsUser.All'],
    aud: 'https://outlook.office.com',
  },
  { scope: `${API}/access_as_user ${OIDC}`, named: [`${API}/access_as_user`], aud: SAMPLE_IDS.apiApp },
  {
    scope: `${API}/.default ${OIDC}`,
    named: [`${API}/access_as_user`, `${API}/.default`],
    aud: SAMPLE_IDS.apiApp,
  },
  {
    scope: `${ARM}/.default ${OIDC}`,
    named: [`${ARM}/user_impersonation`, `${ARM}/.default`],
    aud: ARM,
  },
];

function assertNamed(body: Body, row: Row, what: string): void {
  assert.deepEqual(
    String(body.scope).split(' ').sort(),
    [...row.named].sort(),
    `${what}: '${row.scope}' answered '${String(body.scope)}'`,
  );
  assert.equal(claimsOf(body.access_token).aud, row.aud, `${what}: aud`);
  assert.equal('refresh_token' in body, row.scope.includes('offline_access'), `${what}: refresh token`);
}

describe('token response scope and audience, in every grant', () => {
  for (const grant of Object.keys(SIGN_IN)) {
    it(`${grant}: scopes come back in the form they were asked for, OIDC scopes for Graph only, never offline_access`, async () => {
      for (const row of ROWS) assertNamed(await SIGN_IN[grant]!(row.scope), row, grant);
    });
  }

  it('refresh_token without a scope: the original request is answered again in its original form', async () => {
    for (const row of ROWS) {
      const first = await SIGN_IN.authorization_code!(row.scope);
      if (!row.scope.includes('offline_access')) continue;
      const again = ok(
        await tokenRequest(e.url, T, {
          grant_type: 'refresh_token',
          client_id: clientId,
          refresh_token: String(first.refresh_token),
        }),
        'refresh without scope',
      );
      assertNamed(again, row, 'refresh without scope');
    }
  });

  it('on-behalf-of: the middle tier’s scopes come back in the form it asked for them', async () => {
    const user = await SIGN_IN.password!(`${API}/access_as_user ${OIDC}`);
    const obo = (scope: string) =>
      tokenRequest(e.url, T, {
        grant_type: 'urn:ietf:params:oauth:grant-type:jwt-bearer',
        requested_token_use: 'on_behalf_of',
        client_id: SAMPLE_IDS.apiApp,
        client_secret: SAMPLE_SECRETS.apiApp,
        assertion: String(user.access_token),
        scope,
      });
    // The sample API has Microsoft Graph's User.Read, admin-consented.
    for (const row of [
      { scope: `User.Read ${OIDC}`, named: ['User.Read', 'openid', 'profile', 'email'], aud: GRAPH },
      {
        scope: `${GRAPH}/User.Read ${OIDC}`,
        named: [`${GRAPH}/User.Read`, 'openid', 'profile', 'email'],
        aud: GRAPH,
      },
      {
        scope: `${GRAPH}/.default offline_access`,
        named: [`${GRAPH}/User.Read`, `${GRAPH}/.default`],
        aud: GRAPH,
      },
    ])
      assertNamed(ok(await obo(row.scope), 'on-behalf-of'), row, 'on-behalf-of');
  });

  it('client_credentials: no scope in the response; OIDC scopes beside the .default are accepted', async () => {
    for (const [scope, aud] of [
      [`${GRAPH}/.default`, GRAPH],
      [`${GRAPH}/.default ${OIDC}`, GRAPH],
      [`${API}/.default`, SAMPLE_IDS.apiApp],
      [`${ARM}/.default`, ARM],
    ] as const) {
      const body = ok(
        await tokenRequest(e.url, T, {
          grant_type: 'client_credentials',
          client_id: SAMPLE_IDS.daemonApp,
          client_secret: SAMPLE_SECRETS.daemonApp,
          scope,
        }),
        scope,
      );
      assert.deepEqual(Object.keys(body).sort(), [
        'access_token',
        'expires_in',
        'ext_expires_in',
        'token_type',
      ]);
      assert.equal(claimsOf(body.access_token).aud, aud, `${scope}: aud`);
    }
  });

  it('sweep: every grant type the token endpoint accepts is covered by this file', async () => {
    const source = await readFile(join(import.meta.dirname, '..', 'src', 'endpoints', 'token.ts'), 'utf8');
    const accepted = [...source.matchAll(/case '([^']+)':/g)].map((m) => m[1]!);
    assert.ok(accepted.length >= 6, `found the grant switch (${accepted.join(', ')})`);
    const covered = new Set([
      ...Object.keys(SIGN_IN),
      'device_code',
      'urn:ietf:params:oauth:grant-type:device_code',
      'urn:ietf:params:oauth:grant-type:jwt-bearer',
      'client_credentials',
    ]);
    assert.deepEqual(
      accepted.filter((g) => !covered.has(g)),
      [],
      'a grant type without scope fidelity rows here',
    );
  });

  it('a trailing slash on an App ID URI is kept in aud (Azure management, a registered v1 API), not on Graph’s alias', async () => {
    e.addApp({
      name: 'Slash v1 API',
      type: 'api',
      tenant: T,
      appIdUri: 'https://api.fidelity.example/',
      accessTokenVersion: 1,
      scopes: [{ value: 'user_impersonation', description: 'Use the API' }],
    });
    const cases: [string, string][] = [
      ['https://management.core.windows.net/', 'https://management.core.windows.net/'],
      ['https://management.azure.com/', 'https://management.azure.com/'],
      ['https://api.fidelity.example/', 'https://api.fidelity.example/'],
      ['https://graph.microsoft.com/', GRAPH],
    ];
    for (const [identifier, aud] of cases) {
      const body = ok(
        await tokenRequest(e.url, T, {
          grant_type: 'client_credentials',
          client_id: SAMPLE_IDS.daemonApp,
          client_secret: SAMPLE_SECRETS.daemonApp,
          scope: `${identifier}/.default`,
        }),
        identifier,
      );
      assert.equal(claimsOf(body.access_token).aud, aud, `${identifier}: aud`);
    }
  });
});
