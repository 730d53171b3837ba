// Which Entra tenants an API accepts tokens from (S60, S61, S64), swept over token version × authority ×
// the token's tenant × the tenant options, with real tokens from the emulator. The emulator plays three
// tenants: the API's own, another one (the attacker's: a multi-tenant daemon registered there gets tokens
// for the API's App ID URI, as on Entra), and one with the personal-account (consumer) tenant id. Its API
// registrations issue v1 (`{origin}/{tid}/`, as `sts.windows.net/{tid}/` on Entra) and v2 tokens.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { type RunningEmulator, SAMPLE_IDS, startEmulator } from '@tokenloop/emulator';
import { type AccessTokenOptions, createAccessTokenVerifier, InvalidTokenError } from '@tokenloop/web';
import { CONSUMERS_TENANT_ID, createTokenClient } from 'tokenloop';

const OWN = SAMPLE_IDS.contoso;
const OTHER = SAMPLE_IDS.fabrikam;
const OWN_DOMAIN = 'contoso.onmicrosoft.com';
const PERSONAL_DOMAIN = 'personal-accounts.example';
const API_V2 = { clientId: '6a2e5c10-0b1d-4f6e-9a41-7c3d2b1e0f02', uri: 'api://tenant-sweep-v2' };
const API_V1 = { clientId: '6a2e5c10-0b1d-4f6e-9a41-7c3d2b1e0f01', uri: 'api://tenant-sweep-v1' };
const DAEMON = { clientId: '6a2e5c10-0b1d-4f6e-9a41-7c3d2b1e0fd0', secret: 'tenant-sweep-daemon-secret' };
const AUDIENCE = [API_V2.clientId, API_V2.uri, API_V1.clientId, API_V1.uri];

type Version = 'v1' | 'v2';
type TokenTenant = 'own' | 'other' | 'consumer';
type AuthorityKind = 'tenant id' | 'domain' | 'organizations' | 'common' | 'consumers';
type Tenancy = 'no tenant option' | 'allowedTenants: [own]' | 'acceptAnyTenant: true';

const VERSIONS: Version[] = ['v1', 'v2'];
const TOKEN_TENANTS: TokenTenant[] = ['own', 'other', 'consumer'];
const AUTHORITIES: AuthorityKind[] = ['tenant id', 'domain', 'organizations', 'common', 'consumers'];
const TENANCIES: Tenancy[] = ['no tenant option', 'allowedTenants: [own]', 'acceptAnyTenant: true'];

const SEGMENT: Record<AuthorityKind, string> = {
  'tenant id': OWN,
  domain: OWN_DOMAIN,
  organizations: 'organizations',
  common: 'common',
  consumers: 'consumers',
};
const TENANCY: Record<Tenancy, Partial<AccessTokenOptions>> = {
  'no tenant option': {},
  'allowedTenants: [own]': { allowedTenants: [OWN] },
  'acceptAnyTenant: true': { acceptAnyTenant: true },
};

type Outcome = 'accepted' | 'refused' | 'configuration error';

/** The rule, written out: what each verifier must do with each token. */
function expected(
  authority: AuthorityKind,
  tenancy: Tenancy,
  tenant: TokenTenant,
  version: Version,
): Outcome {
  const multi = authority === 'organizations' || authority === 'common';
  // S61: a multi-tenant authority names its tenants or opts in to all of them, else it cannot be built.
  if (multi && tenancy === 'no tenant option') return 'configuration error';
  // acceptAnyTenant means nothing for a tenant-specific authority: refused rather than silently ignored.
  if (!multi && tenancy === 'acceptAnyTenant: true') return 'configuration error';
  // The consumers authority's tenant is known up front, and the allow-list does not hold it.
  if (authority === 'consumers' && tenancy === 'allowedTenants: [own]') return 'configuration error';
  // S64: personal accounts: v2 only; never through organizations; through common only when opted in.
  if (tenant === 'consumer') {
    if (version === 'v1') return 'refused';
    if (authority === 'consumers') return 'accepted';
    return authority === 'common' && tenancy === 'acceptAnyTenant: true' ? 'accepted' : 'refused';
  }
  if (authority === 'consumers') return 'refused';
  // S60: a tenant-specific authority accepts its own tenant only; S61: allowedTenants holds for every version.
  if (!multi || tenancy === 'allowedTenants: [own]') return tenant === 'own' ? 'accepted' : 'refused';
  return 'accepted'; // multi-tenant with acceptAnyTenant: work and school tenants
}

describe('S60, S61, S64: the tenants an API accepts tokens from', () => {
  let em: RunningEmulator;
  const tokens = new Map<string, string>();
  const key = (tenant: TokenTenant, version: Version) => `${tenant} ${version}`;

  before(async () => {
    em = await startEmulator({
      config: {
        tenants: [
          { id: OWN, domain: OWN_DOMAIN, name: 'The API tenant' },
          { id: OTHER, domain: 'fabrikam.onmicrosoft.com', name: 'Another tenant' },
          { id: CONSUMERS_TENANT_ID, domain: PERSONAL_DOMAIN, name: 'Personal accounts' },
        ],
        apps: [
          ...[
            { ...API_V2, version: 2 as const },
            { ...API_V1, version: 1 as const },
          ].map((api) => ({
            clientId: api.clientId,
            name: `API ${api.version}`,
            type: 'api' as const,
            tenant: OWN,
            signInAudience: 'AzureADMultipleOrgs' as const,
            appIdUri: api.uri,
            accessTokenVersion: api.version,
            appRoles: [{ value: 'Data.Read.All', description: 'Read all data' }],
            adminConsented: true,
          })),
          {
            clientId: DAEMON.clientId,
            name: 'A daemon in another tenant',
            type: 'daemon',
            tenant: OTHER,
            secret: DAEMON.secret,
            signInAudience: 'AzureADMultipleOrgs',
            applicationPermissions: { [API_V2.uri]: ['Data.Read.All'], [API_V1.uri]: ['Data.Read.All'] },
          },
        ],
      },
    });
    const segments: Record<TokenTenant, string> = { own: OWN, other: OTHER, consumer: PERSONAL_DOMAIN };
    for (const tenant of TOKEN_TENANTS) {
      const daemon = createTokenClient({
        authority: `${em.url}/${segments[tenant]}`,
        clientId: DAEMON.clientId,
        clientSecret: DAEMON.secret,
      });
      for (const version of VERSIONS) {
        const api = version === 'v1' ? API_V1 : API_V2;
        const { accessToken } = await daemon.acquireAppToken({ scopes: [`${api.uri}/.default`] });
        const claims = JSON.parse(Buffer.from(accessToken.split('.')[1]!, 'base64url').toString()) as {
          tid: string;
          iss: string;
          ver: string;
        };
        const tid = { own: OWN, other: OTHER, consumer: CONSUMERS_TENANT_ID }[tenant];
        assert.equal(claims.tid, tid, 'the emulator minted a token of that tenant');
        assert.equal(claims.iss, version === 'v1' ? `${em.url}/${tid}/` : `${em.url}/${tid}/v2.0`);
        assert.equal(claims.ver, version === 'v1' ? '1.0' : '2.0');
        tokens.set(key(tenant, version), accessToken);
      }
      await daemon.close();
    }
  });
  after(() => em.close());

  for (const authority of AUTHORITIES) {
    for (const tenancy of TENANCIES) {
      const cases = VERSIONS.flatMap((version) =>
        TOKEN_TENANTS.map((tenant) => ({
          version,
          tenant,
          want: expected(authority, tenancy, tenant, version),
        })),
      );
      const title = cases
        .map((c) => `${c.version} ${c.tenant}: ${c.want === 'configuration error' ? 'no verifier' : c.want}`)
        .join(', ');
      it(`S60/S61/S64 ${authority} authority, ${tenancy} → ${title}`, async () => {
        const options: AccessTokenOptions = {
          authority: `${em.url}/${SEGMENT[authority]}`,
          audience: AUDIENCE,
          ...TENANCY[tenancy],
        };
        if (cases.every((c) => c.want === 'configuration error')) {
          assert.throws(
            () => createAccessTokenVerifier(options),
            (err: Error & { code?: string }) => {
              assert.equal(err.code, 'CONFIGURATION', err.message);
              assert.match(err.message, /allowedTenants|acceptAnyTenant/, 'the message names the option');
              return true;
            },
          );
          return;
        }
        const verifier = createAccessTokenVerifier(options);
        for (const c of cases) {
          const token = tokens.get(key(c.tenant, c.version))!;
          const what = `${c.version} token of the ${c.tenant} tenant`;
          if (c.want === 'accepted') {
            const claims = await verifier.verify(token);
            assert.deepEqual(claims.roles, ['Data.Read.All'], what);
          } else {
            await assert.rejects(
              verifier.verify(token),
              (err: Error) => {
                assert.ok(err instanceof InvalidTokenError, `${what}: ${err.name} ${err.message}`);
                assert.match(err.message, /tenant|issuer/, what);
                return true;
              },
              `${what} must be refused`,
            );
          }
        }
      });
    }
  }

  it('S60 a domain authority learns its tenant id from discovery: an allow-list without it refuses every token', async () => {
    const verifier = createAccessTokenVerifier({
      authority: `${em.url}/${OWN_DOMAIN}`,
      audience: AUDIENCE,
      allowedTenants: [OTHER],
    });
    for (const version of VERSIONS) {
      for (const tenant of TOKEN_TENANTS) {
        const token = tokens.get(key(tenant, version))!;
        await assert.rejects(verifier.verify(token), (err: Error & { code?: string }) => {
          assert.ok(err instanceof InvalidTokenError || err.code === 'CONFIGURATION', err.message);
          return true;
        });
      }
    }
  });

  it('S61 tenant options that cannot be right fail when the verifier is built, naming the option', () => {
    const base = { audience: AUDIENCE };
    const bad: Array<[string, AccessTokenOptions, RegExp]> = [
      [
        'a tenant id authority whose tenant is not allowed',
        { ...base, authority: `${em.url}/${OWN}`, allowedTenants: [OTHER] },
        /allowedTenants/,
      ],
      [
        'an empty allow-list',
        { ...base, authority: `${em.url}/organizations`, allowedTenants: [] },
        /allowedTenants/,
      ],
      [
        'a domain in the allow-list (tokens name tenants by id)',
        { ...base, authority: `${em.url}/organizations`, allowedTenants: [OWN_DOMAIN] },
        /allowedTenants/,
      ],
      [
        'both options',
        { ...base, authority: `${em.url}/common`, allowedTenants: [OWN], acceptAnyTenant: true },
        /allowedTenants.*acceptAnyTenant|acceptAnyTenant.*allowedTenants/,
      ],
      [
        'personal accounts through organizations',
        { ...base, authority: `${em.url}/organizations`, allowedTenants: [CONSUMERS_TENANT_ID] },
        /organizations/,
      ],
      [
        'tenant options for a generic issuer',
        { ...base, issuer: `${em.url}/${OWN}/v2.0`, allowedTenants: [OWN] },
        /allowedTenants/,
      ],
      [
        'acceptAnyTenant as a string',
        { ...base, authority: `${em.url}/common`, acceptAnyTenant: 'yes' as never },
        /acceptAnyTenant/,
      ],
    ];
    for (const [what, options, names] of bad) {
      assert.throws(
        () => createAccessTokenVerifier(options),
        (err: Error & { code?: string }) => {
          assert.equal(err.code, 'CONFIGURATION', `${what}: ${err.message}`);
          assert.match(err.message, names, what);
          return true;
        },
        what,
      );
    }
  });

  it('S64 common with the personal-account tenant in the allow-list accepts its v2 tokens only', async () => {
    const verifier = createAccessTokenVerifier({
      authority: `${em.url}/common`,
      audience: AUDIENCE,
      allowedTenants: [OWN, CONSUMERS_TENANT_ID],
    });
    assert.ok((await verifier.verify(tokens.get(key('consumer', 'v2'))!)).tid);
    assert.ok((await verifier.verify(tokens.get(key('own', 'v1'))!)).tid);
    await assert.rejects(verifier.verify(tokens.get(key('consumer', 'v1'))!), InvalidTokenError);
    await assert.rejects(verifier.verify(tokens.get(key('other', 'v2'))!), InvalidTokenError);
  });
});
