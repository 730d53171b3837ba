// The tenant table on signed claims (S60, S61, S64): the verifier checks a token's signature and registered
// claims first (jwtVerify, one parse) and then that its tenant is accepted and its issuer is that tenant's own —
// another accepted tenant's issuer is not enough. A refused token is told tenant first, then issuer, then the
// other claims. Tokens are signed by a loopback issuer with a key of this test (support/bearer-issuer.ts), so
// that claims the emulator never mixes (one tenant's tid with another's issuer) can be tried.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { type AccessTokenVerifier, createAccessTokenVerifier, InvalidTokenError } from '@tokenloop/web';
import { type LoopbackIssuer, startLoopbackIssuer } from './support/bearer-issuer.js';

const OWN = '5b0e7d3c-1a2f-4c6e-8b9d-2f3e4a5b6c7d';
const OTHER = '6c1f8e4d-2b3a-4d7f-9cae-3a4f5b6c7d8e';
const THIRD = '7d2a9f5e-3c4b-4e8a-8dbf-4b5a6c7d8e9f';
const API = 'api://tenant-table';

describe('S60, S61, S64: the tenant table holds after the signature', () => {
  let issuer: LoopbackIssuer;
  let allowList: AccessTokenVerifier;
  let anyTenant: AccessTokenVerifier;
  let ownTenant: AccessTokenVerifier;
  const v2 = (tid: string) => `${issuer.url}/${tid}/v2.0`;
  const v1 = (tid: string) => `${issuer.url}/${tid}/`;
  /** An app-only access token with the markers of the issuer form's version (S48), valid unless overridden. */
  const token = (tid: string | undefined, iss: string | undefined, extra: Record<string, unknown> = {}) => {
    const now = Math.floor(Date.now() / 1000);
    const markers = iss?.endsWith('/v2.0')
      ? { ver: '2.0', azp: 'caller', azpacr: '1' }
      : { ver: '1.0', appid: 'caller', appidacr: '1' };
    return issuer.sign({
      ...markers,
      ...(iss === undefined ? {} : { iss }),
      ...(tid === undefined ? {} : { tid }),
      aud: API,
      sub: 'app-sp',
      oid: 'app-sp',
      idtyp: 'app',
      roles: ['Data.Read.All'],
      iat: now,
      nbf: now,
      exp: now + 600,
      ...extra,
    });
  };
  const refused = async (
    verifier: AccessTokenVerifier,
    jwt: Promise<string>,
    message: RegExp,
    what: string,
  ) =>
    assert.rejects(
      verifier.verify(await jwt),
      (err: Error) => {
        assert.ok(err instanceof InvalidTokenError, `${what}: ${err.name}`);
        assert.match(err.message, message, what);
        return true;
      },
      what,
    );
  const expired = { iat: 1_000, nbf: 1_000, exp: 2_000 };

  before(async () => {
    issuer = await startLoopbackIssuer(OWN);
    const organizations = `${issuer.url}/organizations`;
    allowList = createAccessTokenVerifier({
      authority: organizations,
      audience: API,
      allowedTenants: [OWN, OTHER],
    });
    anyTenant = createAccessTokenVerifier({ authority: organizations, audience: API, acceptAnyTenant: true });
    ownTenant = createAccessTokenVerifier({ authority: issuer.authority, audience: API });
  });
  after(() => issuer?.close());

  it("S61 an allow-list accepts each listed tenant's own v2 and v1 tokens, and not another listed tenant's issuer", async () => {
    for (const tid of [OWN, OTHER])
      for (const iss of [v2(tid), v1(tid)])
        assert.equal((await allowList.verify(await token(tid, iss))).tid, tid, `tid ${tid}, iss ${iss}`);
    for (const [tid, iss] of [
      [OWN, v2(OTHER)],
      [OTHER, v1(OWN)],
      [OWN, issuer.oidcIssuer],
    ] as const)
      await refused(allowList, token(tid, iss), /another issuer/, `tid ${tid} with issuer ${iss}`);
    await refused(allowList, token(THIRD, v2(THIRD)), /tenant that is not accepted/, 'an unlisted tenant');
    await refused(allowList, token(undefined, v2(OWN)), /tenant that is not accepted/, 'no tid');
  });

  it('S61 acceptAnyTenant: any tenant, but only with its own issuer', async () => {
    for (const tid of [OWN, OTHER, THIRD])
      assert.equal((await anyTenant.verify(await token(tid, v2(tid)))).tid, tid);
    await refused(anyTenant, token(THIRD, v2(OTHER)), /another issuer/, "another tenant's issuer");
    await refused(anyTenant, token(THIRD, undefined), /another issuer/, 'no iss');
    await refused(anyTenant, token(undefined, v2(THIRD)), /tenant that is not accepted/, 'no tid');
  });

  it('S60 a tenant-specific authority: its own tenant only, whatever the issuer says', async () => {
    assert.equal((await ownTenant.verify(await token(OWN, v1(OWN)))).tid, OWN);
    await refused(ownTenant, token(OTHER, v2(OWN)), /tenant that is not accepted/, 'another tid, own issuer');
    await refused(ownTenant, token(OTHER, v2(OTHER)), /tenant that is not accepted/, 'another tenant');
    await refused(ownTenant, token(OWN, v2(OTHER)), /another issuer/, "own tid, another tenant's issuer");
  });

  it('S60 refusals once the signature holds: tenant first, then issuer, then the other claims', async () => {
    for (const verifier of [allowList, anyTenant, ownTenant]) {
      await refused(
        verifier,
        token(OWN, v2(OWN), { tid: 'not-a-guid', ...expired }),
        /tenant/,
        'expired, bad tid',
      );
      await refused(
        verifier,
        token(OWN, v2(OTHER), { ...expired, aud: 'api://else' }),
        /another issuer/,
        'expired, other issuer',
      );
      await refused(
        verifier,
        token(OWN, v2(OWN), { ...expired, aud: 'api://else' }),
        /another audience/,
        'expired, other audience',
      );
      await refused(verifier, token(OWN, v2(OWN), expired), /expired/, 'expired');
    }
    await refused(
      allowList,
      token(THIRD, v2(THIRD), expired),
      /tenant that is not accepted/,
      'expired, unlisted tenant',
    );
  });
});
