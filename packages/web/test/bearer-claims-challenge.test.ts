// S144: the claims challenge an API sends for continuous access evaluation (claimsChallenge), the one writer of
// WWW-Authenticate challenges it shares with checkBearer (quoting safe), and a sweep: no other source of the
// package writes a Bearer challenge. The Azure SDK's pipeline answering it: packages/tokenloop's
// test/azure/pipeline.test.ts (its protected API sends this helper's challenge).
import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { WebAuthConfigError, acceptsClaimsChallenges, claimsChallenge } from '@tokenloop/web';
import { bearerChallenge } from '../src/bearer/challenge-header.js';

const SRC = join(import.meta.dirname, '../src');

/** The header's parameters, read the way @azure/core-rest-pipeline reads them (quoted values, no escapes). */
function params(header: string): Record<string, string> {
  return Object.fromEntries([...header.matchAll(/(\w+)="([^"]*)"/g)].map((m) => [m[1]!, m[2]!]));
}

describe('S144 claims challenges for APIs', () => {
  it("S144 claimsChallenge: 401 insufficient_claims, the nbf request base64 (standard alphabet), Entra's authorize URI", () => {
    const out = claimsChallenge({ notBefore: new Date(1_700_000_000_500) });
    assert.equal(out.status, 401);
    assert.equal(out.error, 'insufficient_claims');
    assert.match(out.wwwAuthenticate, /^Bearer /);
    const p = params(out.wwwAuthenticate);
    assert.equal(p.error, 'insufficient_claims');
    assert.equal(p.authorization_uri, 'https://login.microsoftonline.com/common/oauth2/authorize');
    assert.match(p.claims!, /^[A-Za-z0-9+/]+=*$/);
    const request = { access_token: { nbf: { essential: true, value: '1700000000' } } };
    assert.deepEqual(JSON.parse(Buffer.from(p.claims!, 'base64').toString('utf8')), request);
    assert.deepEqual(JSON.parse(out.claims), request);
    const other = claimsChallenge({
      claims: { access_token: { acrs: { essential: true, value: 'c1' } } },
      authorizationUri: 'https://127.0.0.1:8400/organizations/oauth2/v2.0/authorize',
    });
    assert.equal(
      params(other.wwwAuthenticate).authorization_uri,
      'https://127.0.0.1:8400/organizations/oauth2/v2.0/authorize',
    );
    // S169: a configuration mistake is the web package's WebAuthConfigError, never a TypeError.
    assert.throws(() => claimsChallenge({}), WebAuthConfigError);
    assert.throws(() => claimsChallenge({ notBefore: Number.NaN }), WebAuthConfigError);
  });

  it('S144 acceptsClaimsChallenges: only a token whose client declared cp1', () => {
    const table: [Record<string, unknown>, boolean][] = [
      [{ xms_cc: ['cp1'] }, true],
      [{ xms_cc: ['CP1'] }, true],
      [{ xms_cc: 'cp1' }, true],
      [{ xms_cc: ['cp2'] }, false],
      [{ xms_cc: [1] }, false],
      [{}, false],
    ];
    for (const [claims, expected] of table)
      assert.equal(acceptsClaimsChallenges(claims), expected, JSON.stringify(claims));
  });

  it('S144 bearerChallenge: a value cannot end its quoted string or the header', () => {
    const header = bearerChallenge([
      ['realm', 'api'],
      ['error_description', 'a "quoted" \\ value\r\nSet-Cookie: x=1'],
      ['scope', undefined],
    ]);
    assert.equal(header, 'Bearer realm="api", error_description="a quoted  valueSet-Cookie: x=1"');
    assert.deepEqual(Object.keys(params(header)), ['realm', 'error_description']);
  });

  it('S144 sweep: no source but challenge-header.ts writes a Bearer challenge', () => {
    const files = readdirSync(SRC, { recursive: true, encoding: 'utf8' }).filter((f) => f.endsWith('.ts'));
    assert.ok(files.length > 10);
    for (const file of files) {
      if (file.endsWith('challenge-header.ts')) continue;
      const source = readFileSync(join(SRC, file), 'utf8');
      assert.doesNotMatch(source, /[`'"]Bearer [a-z_]+=/, `${file} writes a Bearer challenge itself`);
    }
  });
});
