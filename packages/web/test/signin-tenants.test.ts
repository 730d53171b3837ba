// Which Entra tenants' users may sign in to a web app (S95; the web side of S61): the same tenant rule as the
// bearer verifier. Swept over authority × the user's tenant × the tenant options, through the real sign-in
// round trip (the app's login route, the emulator, the app's callback) with the emulator's users of two
// tenants: alice of Contoso (the app's own tenant) and carol of Fabrikam (another tenant).
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { type RunningEmulator, SAMPLE_IDS, SAMPLE_SECRETS, startEmulator } from '@tokenloop/emulator';
import { type WebAuthOptions, WebAuthConfigError, createWebAuth } from '@tokenloop/web';
import { CONSUMERS_TENANT_ID } from 'tokenloop';
import { Browser, startWebApp } from './support/web-app.js';

const OWN = SAMPLE_IDS.contoso;
const OTHER = SAMPLE_IDS.fabrikam;

type AuthorityKind = 'organizations' | 'common' | 'tenant id' | 'domain';
type User = 'own tenant user' | 'other tenant user';
type Tenancy = 'allowedTenants: [own]' | 'acceptAnyTenant: true' | 'no tenant option';

const AUTHORITIES: AuthorityKind[] = ['organizations', 'common', 'tenant id', 'domain'];
const USERS: User[] = ['own tenant user', 'other tenant user'];
const TENANCIES: Tenancy[] = ['allowedTenants: [own]', 'acceptAnyTenant: true', 'no tenant option'];

const SEGMENT: Record<AuthorityKind, string> = {
  organizations: 'organizations',
  common: 'common',
  'tenant id': OWN,
  domain: 'contoso.onmicrosoft.com',
};
const TENANCY: Record<Tenancy, Partial<WebAuthOptions>> = {
  'allowedTenants: [own]': { allowedTenants: [OWN] },
  'acceptAnyTenant: true': { acceptAnyTenant: true },
  'no tenant option': {},
};
const LOGIN: Record<User, { name: string; username: string; tid: string }> = {
  'own tenant user': { name: 'alice', username: 'alice@contoso.onmicrosoft.com', tid: OWN },
  'other tenant user': { name: 'carol', username: 'carol@fabrikam.onmicrosoft.com', tid: OTHER },
};

type Outcome = 'signed in' | 'refused' | 'configuration error';

/** The rule, written out (the same as the bearer verifier's, S61). */
function expected(authority: AuthorityKind, tenancy: Tenancy, user: User): Outcome {
  const multi = authority === 'organizations' || authority === 'common';
  // S95: a multi-tenant authority names its tenants or opts in to all of them, else the app cannot start.
  if (multi && tenancy === 'no tenant option') return 'configuration error';
  // acceptAnyTenant means nothing for a tenant's own authority: refused rather than silently ignored.
  if (!multi && tenancy === 'acceptAnyTenant: true') return 'configuration error';
  if (multi && tenancy === 'acceptAnyTenant: true') return 'signed in';
  return user === 'own tenant user' ? 'signed in' : 'refused';
}

describe('S95 the tenants whose users may sign in to a web app', () => {
  const emulators = new Map<User, RunningEmulator>();
  before(async () => {
    for (const user of USERS) emulators.set(user, await startEmulator({ autoLogin: LOGIN[user].name }));
  });
  after(async () => {
    for (const em of emulators.values()) await em.close();
  });

  for (const authority of AUTHORITIES) {
    for (const tenancy of TENANCIES) {
      const cases = USERS.map((user) => ({ user, want: expected(authority, tenancy, user) }));
      const title = cases.map((c) => `${c.user}: ${c.want}`).join(', ');
      it(`S95 ${authority} authority, ${tenancy} → ${title}`, async () => {
        for (const { user, want } of cases) {
          const em = emulators.get(user)!;
          const options = {
            authority: `${em.url}/${SEGMENT[authority]}`,
            clientId: SAMPLE_IDS.webApp,
            clientSecret: SAMPLE_SECRETS.webApp,
            ...TENANCY[tenancy],
          };
          if (want === 'configuration error') {
            assert.throws(
              () => createWebAuth({ ...options, baseUrl: 'http://127.0.0.1:3000' }),
              (err: unknown) => {
                assert.ok(err instanceof WebAuthConfigError, String(err));
                assert.match(err.message, /allowedTenants|acceptAnyTenant/, 'the message names the option');
                return true;
              },
            );
            continue;
          }
          const app = await startWebApp({ ...options, graphBase: em.url, apiScope: 'User.Read' });
          try {
            const browser = new Browser();
            const { res, visited } = await browser.go(`${app.url}/auth/login`);
            const home = await (await browser.request(`${app.url}/`)).text();
            const where = `${user} (${visited.length} steps, last answer ${res.status})`;
            if (want === 'signed in') {
              assert.equal(home, `signed in as ${LOGIN[user].username}`, where);
              const id = browser.cookies.get('tl_session')!;
              const session = await app.auth.session({
                method: 'GET',
                url: new URL('/', app.url),
                cookieHeader: `tl_session=${id}`,
              });
              assert.equal(session?.tenantId, LOGIN[user].tid, where);
            } else {
              assert.equal(home, 'anonymous', `${where}: no session`);
              assert.equal(browser.cookies.get('tl_session'), undefined, `${where}: no session cookie`);
              assert.ok(res.status >= 400 && res.status < 500, `${where}: the sign-in ends with a 4xx page`);
              assert.deepEqual(await app.auth.client.getAccounts(), [], `${where}: no tokens kept`);
            }
          } finally {
            await app.close();
          }
        }
      });
    }
  }

  it('S95 tenant options that cannot be right stop start-up, naming the option', () => {
    const em = emulators.get('own tenant user')!;
    const base = {
      clientId: SAMPLE_IDS.webApp,
      clientSecret: SAMPLE_SECRETS.webApp,
      baseUrl: 'http://127.0.0.1:3000',
    };
    const bad: Array<[string, WebAuthOptions, RegExp]> = [
      [
        'a tenant id authority whose tenant is not allowed',
        { ...base, authority: `${em.url}/${OWN}`, allowedTenants: [OTHER] },
        /allowedTenants/,
      ],
      [
        'an empty allow-list',
        { ...base, authority: `${em.url}/common`, allowedTenants: [] },
        /allowedTenants/,
      ],
      [
        'a domain in the allow-list (tokens name tenants by id)',
        { ...base, authority: `${em.url}/organizations`, allowedTenants: ['contoso.onmicrosoft.com'] },
        /allowedTenants/,
      ],
      [
        'both options',
        { ...base, authority: `${em.url}/common`, allowedTenants: [OWN], acceptAnyTenant: true },
        /allowedTenants.*acceptAnyTenant|acceptAnyTenant.*allowedTenants/,
      ],
      [
        'tenant options for a generic issuer',
        { ...base, issuer: `${em.url}/${OWN}/v2.0`, allowedTenants: [OWN] },
        /allowedTenants/,
      ],
      [
        'acceptAnyTenant as a string',
        { ...base, authority: `${em.url}/organizations`, acceptAnyTenant: 'yes' as never },
        /acceptAnyTenant/,
      ],
    ];
    for (const [what, options, names] of bad) {
      assert.throws(
        () => createWebAuth(options),
        (err: unknown) => {
          assert.ok(err instanceof WebAuthConfigError, `${what}: ${String(err)}`);
          assert.match(err.message, names, what);
          return true;
        },
        what,
      );
    }
  });

  it('S95 (S64) a personal account never signs in through organizations, even with acceptAnyTenant: true; through common it does', async () => {
    // The emulator plays the personal-account tenant too; whatever it issues, the app applies the rule itself.
    const em = await startEmulator({
      autoLogin: 'dave@personal-accounts.example',
      config: {
        tenants: [{ id: CONSUMERS_TENANT_ID, domain: 'personal-accounts.example', name: 'Personal' }],
        users: [{ username: 'dave@personal-accounts.example', password: 'dave-password-1' }],
        apps: [
          {
            clientId: SAMPLE_IDS.webApp,
            name: 'web',
            type: 'web',
            secret: SAMPLE_SECRETS.webApp,
            signInAudience: 'AzureADMultipleOrgs',
            redirectUris: ['http://127.0.0.1/auth/callback'],
          },
        ],
      },
    });
    try {
      for (const [segment, want] of [
        ['organizations', 'anonymous'],
        ['common', 'signed in as dave@personal-accounts.example'],
      ] as const) {
        const app = await startWebApp({
          authority: `${em.url}/${segment}`,
          clientId: SAMPLE_IDS.webApp,
          clientSecret: SAMPLE_SECRETS.webApp,
          acceptAnyTenant: true,
          graphBase: em.url,
          apiScope: 'User.Read',
        });
        try {
          const browser = new Browser();
          const { res } = await browser.go(`${app.url}/auth/login`);
          assert.equal(await (await browser.request(`${app.url}/`)).text(), want, segment);
          if (want === 'anonymous') {
            // The emulator issued the ID token; the app's own tenant rule refused it.
            assert.equal(res.status, 403);
            assert.match(await res.text(), /Sign-in refused/);
            assert.deepEqual(await app.auth.client.getAccounts(), [], 'no tokens kept');
          }
        } finally {
          await app.close();
        }
      }
    } finally {
      await em.close();
    }
  });
});
